import { redisScript, runScript } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";

/** One limit a socket counts against across the cluster: a Redis key (a visitor, an address) and its cap. */
export interface LeaseLimit {
  key: string;
  max: number;
}

/**
 * Takes a lease on every key, or on none: each key is a sorted set of socket ids scored by lease expiry;
 * expired leases (a crashed node's) are dropped first. Returns 0 when taken, else the 1-based index of
 * the first full key. KEYS: the sets; ARGV: now, expiry, ttl, socket id, then each key's cap.
 */
const ACQUIRE = redisScript(`
for i, key in ipairs(KEYS) do
  redis.call("ZREMRANGEBYSCORE", key, "-inf", ARGV[1])
  if redis.call("ZCARD", key) >= tonumber(ARGV[4 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call("ZADD", key, ARGV[2], ARGV[4])
  redis.call("PEXPIRE", key, ARGV[3])
end
return 0`);

/**
 * Socket leases in Redis, so that per-visitor and per-address limits hold across every realtime node
 * sharing it: a socket holds one lease per limit while it is open, refreshed with the heartbeat and
 * removed on close; a node that dies stops refreshing, and its leases lapse after `ttlMs`.
 */
export function createSocketLeases(options: { redis: Redis; prefix: string; ttlMs: number }) {
  const { redis, prefix, ttlMs } = options;
  const keyOf = (key: string) => `${prefix}rt:socket-leases:${key}`;
  return {
    /** Leases `socketId` under every limit, or none: the index of the full limit, or null when taken. */
    async acquire(socketId: string, limits: readonly LeaseLimit[]): Promise<number | null> {
      if (limits.length === 0) return null;
      const now = Date.now();
      const full = (await runScript(redis, ACQUIRE, limits.length, [
        ...limits.map((l) => keyOf(l.key)),
        now,
        now + ttlMs,
        ttlMs,
        socketId,
        ...limits.map((l) => l.max),
      ])) as number;
      return full === 0 ? null : full - 1;
    },
    /** Extends the leases of open sockets (only those still held: a lapsed one is not revived). */
    async renew(held: readonly { socketId: string; keys: readonly string[] }[]): Promise<void> {
      if (held.length === 0) return;
      const expiresAt = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const { socketId, keys } of held) {
        for (const key of keys) {
          pipeline.zadd(keyOf(key), "XX", expiresAt, socketId);
          pipeline.pexpire(keyOf(key), ttlMs);
        }
      }
      await pipeline.exec();
    },
    async release(socketId: string, keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.zrem(keyOf(key), socketId);
      await pipeline.exec();
    },
  };
}
