import { errorCode } from "./errors";

// A reply that failed for a passing reason (503 while PostgreSQL or Redis restarts, 429, no answer at all)
// is sent again by the dashboard itself with the same client message id, so it is stored once; attempts
// back off exponentially with jitter so that many tabs do not come back at the same moment.

export const SEND_RETRY = { attempts: 8, baseMs: 1_000, maxMs: 30_000 } as const;

const transientCodes = new Set(["SERVICE_UNAVAILABLE", "TOO_MANY_REQUESTS", "TIMEOUT"]);

/** Worth sending again: the server was briefly unavailable, or the request got no answer at all. */
export function isTransientSendError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) return transientCodes.has(code);
  return error instanceof Error && (error.name === "TypeError" || error.message === "Failed to fetch");
}

/** React Query's `retry`: another attempt while the failure is passing and attempts remain. */
export function shouldRetrySend(failureCount: number, error: unknown): boolean {
  return failureCount < SEND_RETRY.attempts - 1 && isTransientSendError(error);
}

/** Wait before attempt `attempt + 1` (0-based): half of the exponential step plus a random half of it. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(SEND_RETRY.maxMs, SEND_RETRY.baseMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}
