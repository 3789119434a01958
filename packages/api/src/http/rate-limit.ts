import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

// Fixed window counter in one round trip: INCR, set the expiry on the first hit, read the TTL.
const script = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

const scriptSha = createHash("sha1").update(script).digest("hex");

// EVALSHA sends 40 bytes instead of the script on every request; EVAL loads it once when Redis lacks it.
async function evalCached(redis: Redis, key: string, windowMs: number): Promise<unknown> {
  try {
    return await redis.evalsha(scriptSha, 1, key, windowMs);
  } catch (error) {
    if (!String(error).includes("NOSCRIPT")) throw error;
    return redis.eval(script, 1, key, windowMs);
  }
}

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export async function hitRateLimit(redis: Redis, key: string, rule: RateLimitRule): Promise<RateLimitResult> {
  const [count, ttl] = (await evalCached(redis, key, rule.windowMs)) as [number, number];
  return {
    allowed: count <= rule.limit,
    remaining: Math.max(0, rule.limit - count),
    retryAfterMs: count <= rule.limit ? 0 : Math.max(ttl, 0),
  };
}
