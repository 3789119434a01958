import { ApiError } from "../api-client";

// A send that failed for a passing reason (the platform answered 503 while a dependency restarted, a rate
// limit, the network dropped) is sent again by the widget itself, with the same client message id so
// the server stores it once. Attempts spread out (exponential backoff with jitter) so that visitors who
// all failed at the same moment do not all come back at the same moment.

export const SEND_RETRY = { attempts: 8, baseMs: 1_000, maxMs: 30_000 } as const;

const transientStatuses = new Set([408, 429, 502, 503, 504]);

/** Worth sending again: the server was briefly unavailable, or the request never got an answer. */
export function isTransientSendError(error: unknown): boolean {
  if (error instanceof ApiError) return transientStatuses.has(error.status);
  // fetch rejects with a TypeError when the network fails (no HTTP answer at all).
  return error instanceof TypeError;
}

/** Wait before attempt `attempt + 1` (0-based): half of the exponential step plus a random half of it. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(SEND_RETRY.maxMs, SEND_RETRY.baseMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}
