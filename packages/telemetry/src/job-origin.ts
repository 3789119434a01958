import { currentScope, runInScope } from "./request-scope";
import { inSpan, SpanKind, traceHeaders } from "./tracing";

/** What a job carries from the request that enqueued it: its request id and W3C trace context. */
export interface JobOrigin {
  requestId?: string;
  traceparent?: string;
  tracestate?: string;
}

/** The origin of a job enqueued now; undefined outside a request with tracing off (the redelivery sweep). */
export function jobOrigin(): JobOrigin | undefined {
  const scope = currentScope();
  const origin = { ...(scope ? { requestId: scope.requestId } : {}), ...traceHeaders() };
  return Object.keys(origin).length > 0 ? origin : undefined;
}

/**
 * Runs one attempt of a job under its origin: log lines carry the request id, and its span (`<queue>
 * process`) continues the enqueuing request's trace.
 */
export function runJob<T>(
  queue: string,
  job: { id?: string | undefined; data: unknown },
  fn: () => Promise<T>,
): Promise<T> {
  const origin = ((job.data as { origin?: JobOrigin } | null)?.origin ?? {}) as JobOrigin;
  const run = () =>
    inSpan(
      `${queue} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "bullmq",
          "messaging.destination.name": queue,
          ...(job.id ? { "messaging.message.id": job.id } : {}),
        },
        parent: { traceparent: origin.traceparent, tracestate: origin.tracestate },
      },
      fn,
    );
  return origin.requestId ? runInScope({ requestId: origin.requestId }, run) : run();
}
