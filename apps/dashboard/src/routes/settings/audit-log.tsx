import { useInfiniteQuery } from "@tanstack/react-query";
import { DataTable } from "../../components/data-table";
import { EmptyState, ErrorState, Loading, LoadMore } from "../../components/states";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../trpc";

export function AuditLog() {
  const log = useInfiniteQuery(
    trpc.tenant.auditLog.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor }),
  );
  if (log.isPending) return <Loading what="audit log" />;
  if (log.error) return <ErrorState error={log.error} retry={() => void log.refetch()} />;
  const entries = log.data.pages.flatMap((p) => p.entries);
  if (entries.length === 0) return <EmptyState title="Nothing recorded yet." />;
  return (
    <div className="card">
      <h2>Audit log</h2>
      <DataTable columns={["When", "Who", "Action", "Target", "IP"]}>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>{formatDateTime(e.created_at)}</td>
            <td>{e.actorEmail ?? (e.actorApiKeyId ? "API key" : "—")}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>{e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ""}` : "—"}</td>
            <td>{e.ip ?? "—"}</td>
          </tr>
        ))}
      </DataTable>
      <LoadMore query={log}>Load older entries</LoadMore>
    </div>
  );
}
