import {
  inSpan,
  type Logger,
  type Metrics,
  type RequestScope,
  requestIdFrom,
  runInScope,
  SpanKind,
} from "@avatar-chat/telemetry";
import type { Context, MiddlewareHandler } from "hono";

export interface RequestLogOptions {
  logger: Logger;
  /** A request taking longer is logged as slow: while it still runs, and when it ends. */
  slowMs: number;
  /** Request counts and durations by procedure and status; unset: not recorded. */
  metrics?: Metrics;
}

/** The metrics label of a request: its tRPC procedure (set by the api), else a bounded route name. */
function routeOf(path: string, scope: RequestScope): string {
  if (scope.procedure) return scope.procedure;
  if (path.startsWith("/trpc/")) return "trpc.unknown";
  if (path === "/healthz" || path === "/readyz") return path;
  if (path.startsWith("/widget/")) return "/widget";
  if (path.startsWith("/avatars/")) return "/avatars";
  return "static";
}

/**
 * Every request gets a request id (the caller's `X-Request-Id` when well-formed, else a new one), echoed
 * in the response and carried by every log line, job and span it causes; one access log line when it ends
 * (method, procedure, status, duration, tenant, caller kind: never a credential or a message's text).
 * Failed requests (5xx or a thrown error) are logged as errors, slow ones as warnings, once while they
 * still run so a hung platform does not stay silent.
 */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  const { logger, slowMs, metrics } = options;
  return async (c, next) => {
    const scope: RequestScope = { requestId: requestIdFrom(c.req.header("x-request-id")) };
    const started = performance.now();
    const request = { method: c.req.method, path: c.req.path };
    return runInScope(scope, () =>
      inSpan(
        `${c.req.method} ${c.req.path}`,
        {
          kind: SpanKind.SERVER,
          parent: { traceparent: c.req.header("traceparent"), tracestate: c.req.header("tracestate") },
          attributes: {
            "http.request.method": c.req.method,
            "url.path": c.req.path,
            "request.id": scope.requestId,
          },
        },
        async (span) => {
          const stillRunning = setTimeout(
            () => logger.warn({ ...request, ms: slowMs }, "slow request, still running"),
            slowMs,
          );
          try {
            await next();
          } finally {
            clearTimeout(stillRunning);
          }
          // After the handler: a Response it built itself (tRPC's) would not carry a header set before.
          c.header("X-Request-Id", scope.requestId);
          const seconds = (performance.now() - started) / 1000;
          const ms = Math.round(seconds * 1000);
          const { status } = c.res;
          const procedure = routeOf(c.req.path, scope);
          metrics?.http.requests.observe({ procedure, status }, seconds);
          span?.updateName(`${c.req.method} ${procedure}`);
          span?.setAttribute("http.response.status_code", status);
          const line = accessLine(c, scope, procedure, status, ms);
          if (c.error || status >= 500)
            logger.error({ ...line, ...(c.error ? { err: c.error } : {}) }, "request failed");
          else if (ms >= slowMs) logger.warn(line, "slow request");
          else if (procedure === "/healthz" || procedure === "/readyz" || procedure === "static")
            logger.debug(line, "request");
          else logger.info(line, "request");
        },
      ),
    );
  };
}

function accessLine(c: Context, scope: RequestScope, procedure: string, status: number, ms: number) {
  return {
    method: c.req.method,
    path: c.req.path,
    procedure,
    status,
    ms,
    caller: scope.caller ?? "anonymous",
    ...(scope.tenantId ? { tenantId: scope.tenantId } : {}),
  };
}
