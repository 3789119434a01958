import type { PropsWithChildren, ReactNode } from "react";
import { readableError } from "../lib/errors";

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <output className="spinner">
      <span className="visually-hidden">{label}</span>
    </output>
  );
}

export function PageLoading() {
  return (
    <div className="page-loading">
      <Spinner />
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted loading-line">
      <Spinner label={`Loading ${what}…`} /> Loading {what}…
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p>{readableError(error)}</p>
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A one-line result of a form or action, announced to screen readers. */
export function Notice({ kind, children }: { kind: "error" | "success"; children: ReactNode }) {
  return (
    <p className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** The loading and failed states of a query (with a retry); renders nothing once it has data. */
export function QueryStates({
  query,
  what,
}: {
  query: { isPending: boolean; error: unknown; refetch(): unknown };
  what: string;
}) {
  if (query.error) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  if (query.isPending) return <Loading what={what} />;
  return null;
}

/** The button that fetches a keyset-paged list's next page; renders nothing once the list is complete. */
export function LoadMore({
  query,
  children,
}: PropsWithChildren<{
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage(): unknown };
}>) {
  if (!query.hasNextPage) return null;
  return (
    <button
      type="button"
      className="button"
      disabled={query.isFetchingNextPage}
      onClick={() => void query.fetchNextPage()}
    >
      {children}
    </button>
  );
}
