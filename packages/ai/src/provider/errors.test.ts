import { APIConnectionError, APIUserAbortError, InternalServerError, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { kindForStatus, parseRetryAfter, toProviderError } from "./errors";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": "0.5" }, 500],
    [{ "retry-after-ms": "1250", "retry-after": "9" }, 1250],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }, 10_000],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("reads %o", (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
  });
});

describe("toProviderError", () => {
  it("classifies statuses", () => {
    expect([400, 401, 403, 404, 408, 409, 422, 429, 500, 503].map(kindForStatus)).toEqual([
      "permanent",
      "auth",
      "auth",
      "permanent",
      "transient",
      "transient",
      "permanent",
      "rate_limit",
      "transient",
      "transient",
    ]);
  });

  it("maps SDK errors and plain network errors", () => {
    const limited = new RateLimitError(429, undefined, "slow down", new Headers({ "retry-after": "2" }));
    expect(toProviderError(limited)).toMatchObject({ kind: "rate_limit", retryAfterMs: 2000, status: 429 });
    expect(
      toProviderError(new InternalServerError(502, undefined, "bad gateway", new Headers())),
    ).toMatchObject({
      kind: "transient",
      status: 502,
    });
    expect(toProviderError(new APIConnectionError({ message: "ECONNREFUSED" })).kind).toBe("transient");
    expect(toProviderError(new APIUserAbortError()).kind).toBe("cancelled");
    expect(toProviderError(new TypeError("terminated")).kind).toBe("transient");
    const aborted = new AbortController();
    aborted.abort();
    expect(toProviderError(new Error("whatever"), aborted.signal).kind).toBe("cancelled");
  });
});
