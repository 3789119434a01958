import { redisScript, runScript } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

// Fixed window counter in one round trip: INCR, set the expiry on the first hit, read the TTL.
const fixedWindow = redisScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`);

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export async function hitRateLimit(redis: Redis, key: string, rule: RateLimitRule): Promise<RateLimitResult> {
  const [count, ttl] = (await runScript(redis, fixedWindow, 1, [key, rule.windowMs])) as [number, number];
  return {
    allowed: count <= rule.limit,
    remaining: Math.max(0, rule.limit - count),
    retryAfterMs: count <= rule.limit ? 0 : Math.max(ttl, 0),
  };
}
