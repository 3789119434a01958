import { describe, expect, it } from "vitest";
import { connectionStatus, isDependencyUnavailable } from "./dependency-outage";

describe("isDependencyUnavailable", () => {
  const withCode = (code: string) => Object.assign(new Error("x"), { code });
  it.each([
    ["refused connection", withCode("ECONNREFUSED")],
    ["PostgreSQL shutting down", withCode("57P01")],
    ["PostgreSQL starting up", withCode("57P03")],
    ["connection exception", withCode("08006")],
    ["pg's dropped connection", new Error("Connection terminated unexpectedly")],
    ["ioredis offline", new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    [
      "ioredis gave up",
      Object.assign(new Error("Reached the max retries per request limit (which is 2)."), {
        name: "MaxRetriesPerRequestError",
      }),
    ],
    ["Redis loading its data", new Error("LOADING Redis is loading the dataset in memory")],
    ["wrapped", new Error("query failed", { cause: new Error("Connection is closed.") })],
  ])("%s: yes", (_, error) => expect(isDependencyUnavailable(error)).toBe(true));

  it.each([
    ["a unique violation", withCode("23505")],
    ["a syntax error", withCode("42601")],
    ["a plain bug", new TypeError("x is undefined")],
    ["not an error", "Connection terminated"],
  ])("%s: no", (_, error) => expect(isDependencyUnavailable(error)).toBe(false));
});

it("logs an outage once when it starts and once when it ends", () => {
  const lines: string[] = [];
  const status = connectionStatus("redis", {
    warn: (_fields, message) => lines.push(message),
    info: (_fields, message) => lines.push(message),
  });
  status.restored();
  for (let i = 0; i < 5; i++) status.lost(new Error("connect ECONNREFUSED"));
  expect(status.available).toBe(false);
  status.restored();
  status.restored();
  expect(lines).toEqual(["redis unavailable, reconnecting", "redis reachable again"]);
  expect(status.available).toBe(true);
});
