import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading } from "../../components/states";
import { formatBytes, formatNumber, percentOf } from "../../lib/format";
import { trpc } from "../../trpc";

function Meter({
  label,
  used,
  limit,
  show,
}: {
  label: string;
  used: number;
  limit: number;
  show: (n: number) => string;
}) {
  const percent = percentOf(used, limit);
  return (
    <div className="stack">
      <div className="row">
        <strong>{label}</strong>
        <span className="muted">
          {show(used)} of {show(limit)}
        </span>
      </div>
      <meter min={0} max={limit} value={used} high={limit * 0.9} optimum={0} aria-label={label}>
        {percent}%
      </meter>
    </div>
  );
}

export function Plan() {
  const tenant = useQuery(trpc.tenant.get.queryOptions());
  if (tenant.isPending) return <Loading what="plan" />;
  if (tenant.error) return <ErrorState error={tenant.error} retry={() => void tenant.refetch()} />;
  const { plan, limits, usage } = tenant.data;
  return (
    <div className="card stack">
      <h2>
        Plan: <span className="badge">{plan}</span>
      </h2>
      <Meter label="Chatbots" used={usage.chatbots} limit={limits.chatbots} show={formatNumber} />
      <Meter
        label="Messages this month"
        used={usage.messagesThisMonth}
        limit={limits.messagesPerMonth}
        show={formatNumber}
      />
      <Meter
        label="Knowledge storage"
        used={usage.knowledgeBytes}
        limit={limits.knowledgeBytes}
        show={formatBytes}
      />
    </div>
  );
}
