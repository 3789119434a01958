import { createHash } from "node:crypto";

// One Lua script runner for every module (publish, rate limits, tenant turns, realtime's presence sweep and
// socket leases); redis-script.test.ts fails on an EVAL or EVALSHA called anywhere else. Not ioredis's
// defineCommand: it adds a method per script to a client, and the clients here are built by the
// composition root and passed in, so each module would register its scripts on clients it does not own.

/** The Redis calls protocol needs; an ioredis client fits. Typed here so protocol does not import ioredis. */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha?(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisScript {
  body: string;
  sha: string;
}

export function redisScript(body: string): RedisScript {
  return { body, sha: createHash("sha1").update(body).digest("hex") };
}

/** EVALSHA (no script body on every call), falling back to EVAL when Redis has not cached it yet. */
export async function runScript(
  redis: RedisEval,
  { body, sha }: RedisScript,
  numKeys: number,
  args: (string | number)[],
) {
  if (redis.evalsha) {
    try {
      return await redis.evalsha(sha, numKeys, ...args);
    } catch (error) {
      if (!String(error).includes("NOSCRIPT")) throw error;
    }
  }
  return redis.eval(body, numKeys, ...args);
}
