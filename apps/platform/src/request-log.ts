import type { Logger } from "@avatar-chat/telemetry";
import type { MiddlewareHandler } from "hono";

export interface RequestLogOptions {
  logger: Logger;
  /** A request taking longer is logged as slow: while it still runs, and when it ends. */
  slowMs: number;
}

/**
 * Logs what an operator must see: requests that fail (5xx or a thrown error) and slow ones. A request
 * that hangs is reported once it passes `slowMs`, so a stuck platform does not stay silent.
 */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  const { logger, slowMs } = options;
  return async (c, next) => {
    const started = performance.now();
    const request = { method: c.req.method, path: c.req.path };
    const stillRunning = setTimeout(
      () => logger.warn({ ...request, ms: slowMs }, "slow request, still running"),
      slowMs,
    );
    try {
      await next();
    } finally {
      clearTimeout(stillRunning);
    }
    const ms = Math.round(performance.now() - started);
    const { status } = c.res;
    if (c.error || status >= 500)
      logger.error({ ...request, status, ms, ...(c.error ? { err: c.error } : {}) }, "request failed");
    else if (ms >= slowMs) logger.warn({ ...request, status, ms }, "slow request");
  };
}
