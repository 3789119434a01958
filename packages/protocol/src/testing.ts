import { Redis } from "ioredis";

// Tests share one Redis: each uses a key prefix of its own and removes its keys when it ends.

/** Deletes every key under `prefix` (SCAN, so a large test run does not block Redis as KEYS would). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** The same over a connection of its own, for a test whose Redis clients are already closed. */
export async function deleteKeysAt(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
