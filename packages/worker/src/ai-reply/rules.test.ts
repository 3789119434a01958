import { ProviderError } from "@avatar-chat/ai";
import { describe, expect, it } from "vitest";
import { isFinalAttempt } from "../queues";
import { isStopRequest, preview, providerBackoffMs } from "./rules";

describe("providerBackoffMs", () => {
  it("backs off exponentially", () => {
    expect([1, 2, 3].map((n) => providerBackoffMs(n, 1000, new Error("x")))).toEqual([1000, 2000, 4000]);
  });
  it("waits at least the provider's Retry-After, within a cap", () => {
    const limited = new ProviderError("rate_limit", "slow down", { retryAfterMs: 7000 });
    expect(providerBackoffMs(1, 1000, limited)).toBe(7000);
    expect(
      providerBackoffMs(1, 1000, new ProviderError("rate_limit", "x", { retryAfterMs: 3_600_000 })),
    ).toBe(60_000);
  });
});

describe("isStopRequest", () => {
  it("applies a stop pressed after the job was enqueued, not a stale one", () => {
    expect(isStopRequest(null, 1000)).toBe(false);
    expect(isStopRequest("1500", 1000)).toBe(true);
    expect(isStopRequest("500", 1000)).toBe(false);
    expect(isStopRequest("yes", 1000)).toBe(true);
  });
});

describe("isFinalAttempt", () => {
  it("counts the running attempt", () => {
    expect(isFinalAttempt(0, 1)).toBe(true);
    expect(isFinalAttempt(0, 3)).toBe(false);
    expect(isFinalAttempt(2, 3)).toBe(true);
    expect(isFinalAttempt(0, undefined)).toBe(true);
  });
});

describe("preview", () => {
  it("flattens and shortens", () => {
    expect(preview("a\n\nb")).toBe("a b");
    expect(preview("x".repeat(200))).toHaveLength(140);
  });
});
