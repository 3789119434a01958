import type { Redis } from "ioredis";
import { isStopRequest } from "./rules";

const STOP_POLL_MS = 100;

/**
 * Polls for the visitor's stop request beside the stream, not per delta: no round trip on the token path,
 * and a stop also interrupts a model that is slow to send its next token.
 */

export function watchStop(
  redis: Redis,
  key: string,
  enqueuedAt: number,
  onStop: () => void,
): { cancel(): void } {
  let cancelled = false;
  const timer = setInterval(() => {
    redis.get(key).then(
      async (value) => {
        if (cancelled || !isStopRequest(value, enqueuedAt)) return;
        cancelled = true;
        clearInterval(timer);
        await redis.del(key);
        onStop();
      },
      () => {}, // Redis trouble: the reply goes on; the next poll tries again.
    );
  }, STOP_POLL_MS);
  return {
    cancel() {
      cancelled = true;
      clearInterval(timer);
    },
  };
}
