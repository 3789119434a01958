import { describe, expect, it } from "vitest";
import { redisEnv } from "./env-schemas";
import { readConfig } from "./read-config";
import { describeRedis, redisConnectionFrom, redisOptionsOf } from "./redis-connection";

const connectionOf = (env: Record<string, string>) => {
  const config = readConfig(redisEnv, env);
  return redisConnectionFrom({
    url: config.REDIS_URL ?? "redis://127.0.0.1:6379",
    sentinels: config.REDIS_SENTINELS,
    sentinelName: config.REDIS_SENTINEL_NAME,
  });
};

describe("Redis connection settings", () => {
  it("is REDIS_URL without Sentinels", () => {
    expect(connectionOf({ REDIS_URL: "redis://cache:6380/2" })).toBe("redis://cache:6380/2");
    expect(redisOptionsOf("rediss://u:p%40ss@cache:6380/2")).toEqual({
      host: "cache",
      port: 6380,
      username: "u",
      password: "p@ss",
      db: 2,
      tls: {},
    });
  });

  it("asks the Sentinels for the named primary, and reconnects on READONLY after a failover", () => {
    const connection = connectionOf({
      REDIS_URL: "redis://ignored:6379",
      REDIS_SENTINELS: " sentinel-1:26379, 10.0.0.7:26380,",
      REDIS_SENTINEL_NAME: "platform",
    });
    expect(connection).toEqual({
      sentinels: [
        { host: "sentinel-1", port: 26379 },
        { host: "10.0.0.7", port: 26380 },
      ],
      name: "platform",
    });
    const options = redisOptionsOf(connection);
    const reconnect = options.reconnectOnError as (error: Error) => unknown;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect(new Error("WRONGTYPE"))).toBe(false);
    expect(describeRedis(connection)).toBe(
      'primary "platform" via Sentinels sentinel-1:26379,10.0.0.7:26380',
    );
  });

  it("defaults the primary's name to mymaster and refuses malformed addresses", () => {
    expect(readConfig(redisEnv, { REDIS_SENTINELS: "s:26379" }).REDIS_SENTINEL_NAME).toBe("mymaster");
    for (const bad of ["sentinel-1", "s:0", "s:99999", "redis://s:26379", "s :1"])
      expect(() => readConfig(redisEnv, { REDIS_SENTINELS: bad })).toThrow(/REDIS_SENTINELS/);
    expect(() => readConfig(redisEnv, { REDIS_SENTINEL_NAME: "my master" })).toThrow(/REDIS_SENTINEL_NAME/);
  });
});
