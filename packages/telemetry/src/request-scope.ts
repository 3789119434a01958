import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** What every log line written while serving one request (or running the job it enqueued) carries. */
export interface RequestScope {
  requestId: string;
  /** Filled in by the api once the caller is known, for the access log line. */
  tenantId?: string;
  caller?: "user" | "apiKey" | "visitor" | "anonymous";
  /** The tRPC procedure(s) the request called, for the access log and the request metrics. */
  procedure?: string;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The scope of the request or job running now, if any. */
export function currentScope(): RequestScope | undefined {
  return scopes.getStore();
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

// A client or proxy may send its own id; only short ids of safe characters are kept, so a log line never
// carries a caller's arbitrary text.
const acceptedRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming `X-Request-Id` when it is well-formed, else a new one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && acceptedRequestId.test(header) ? header : randomUUID();
}
