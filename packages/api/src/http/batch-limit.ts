import type { MiddlewareHandler } from "hono";
import { trpcErrorBody } from "./trpc-error-response";

/**
 * Refuses a tRPC batch (`/trpc/a,b,c?batch=1`) of more than `maxCalls` calls before anything is parsed: one
 * request of 1,000 mutations would otherwise hold a worker for seconds and slip past per-request limits.
 */
export function batchLimit(options: { maxCalls: number }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.query("batch") !== "1") return next();
    const calls = c.req.path.slice("/trpc/".length).split(",").length;
    if (calls <= options.maxCalls) return next();
    return c.json(
      trpcErrorBody(
        "BAD_REQUEST",
        400,
        `Send at most ${options.maxCalls} calls in one batch (this one has ${calls}).`,
      ),
      400,
    );
  };
}
