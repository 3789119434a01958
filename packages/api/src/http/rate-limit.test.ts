import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../testing";
import { hitRateLimit } from "./rate-limit";

describe("hitRateLimit", () => {
  const redis = new Redis(TEST_REDIS_URL);
  const key = `rl-test:${randomBytes(6).toString("hex")}`;
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it("allows `limit` hits per window, then refuses with the time until the window resets", async () => {
    const rule = { limit: 3, windowMs: 60_000 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hitRateLimit(redis, key, rule));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[2]!.remaining).toBe(0);
    expect(results[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(results[3]!.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
