import { describe, expect, it } from "vitest";
import { z } from "zod";
import { databaseEnv, realtimeEnv, redisEnv } from "./env-schemas";
import { ConfigError, readConfig } from "./read-config";

describe("readConfig", () => {
  const schema = databaseEnv.extend(redisEnv.shape);

  it("applies defaults when nothing is set", () => {
    const config = readConfig(schema, {});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toMatchObject({ DATABASE_POOL_SIZE: 20, DATA_DIR: ".data" });
    expect(config.MIGRATE_ON_START).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(readConfig(schema, { DATABASE_URL: "", REDIS_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("names every bad variable in one message", () => {
    const attempt = () =>
      readConfig(schema, { DATABASE_URL: "not a url", DATABASE_POOL_SIZE: "0", REDIS_PREFIX: "a b" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DATABASE_URL/);
    expect(attempt).toThrow(/DATABASE_POOL_SIZE/);
    expect(attempt).toThrow(/REDIS_PREFIX/);
  });

  it("says when a required variable is missing", () => {
    expect(() => readConfig(z.object({ TOKEN: z.string() }), {})).toThrow(/TOKEN: .*\(not set\)/);
  });

  it("reads the realtime per-tenant socket quota, unset meaning the service's default", () => {
    expect(readConfig(realtimeEnv, {}).REALTIME_MAX_CONNECTIONS_PER_TENANT).toBeUndefined();
    expect(readConfig(realtimeEnv, { REALTIME_MAX_CONNECTIONS_PER_TENANT: "" })).toEqual({});
    expect(readConfig(realtimeEnv, { REALTIME_MAX_CONNECTIONS_PER_TENANT: "200" })).toEqual({
      REALTIME_MAX_CONNECTIONS_PER_TENANT: 200,
    });
    expect(() => readConfig(realtimeEnv, { REALTIME_MAX_CONNECTIONS_PER_TENANT: "0" })).toThrow(
      /REALTIME_MAX_CONNECTIONS_PER_TENANT/,
    );
    expect(
      readConfig(realtimeEnv, {
        REALTIME_MAX_CONNECTIONS_PER_VISITOR: "5",
        REALTIME_MAX_CONNECTIONS_PER_ADDRESS: "",
      }),
    ).toEqual({ REALTIME_MAX_CONNECTIONS_PER_VISITOR: 5 });
    expect(() => readConfig(realtimeEnv, { REALTIME_MAX_CONNECTIONS_PER_ADDRESS: "-1" })).toThrow(
      /REALTIME_MAX_CONNECTIONS_PER_ADDRESS/,
    );
  });
});
