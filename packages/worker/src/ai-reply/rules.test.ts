import { ProviderError } from "@avatar-chat/ai";
import { describe, expect, it } from "vitest";
import { isFinalAttempt } from "../queues";
import { admitsNotKnowing, isStopRequest, isUnanswered, preview, providerBackoffMs } from "./rules";

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

describe("isUnanswered", () => {
  it("counts replies that cite nothing and match nothing, or that say they do not know", () => {
    const sorry = "I'm sorry, I don't know the answer to that from the information I have.";
    expect(isUnanswered({ text: "Hello!", citations: 0, retrievedMatch: false })).toBe(true);
    expect(isUnanswered({ text: sorry, citations: 0, retrievedMatch: true })).toBe(true);
    expect(isUnanswered({ text: "We open at 9am [1].", citations: 1, retrievedMatch: true })).toBe(false);
    expect(isUnanswered({ text: "We open at 9am.", citations: 0, retrievedMatch: true })).toBe(false);
  });

  it("recognises the usual ways of saying so", () => {
    for (const text of [
      "I don't know.",
      "I don’t know that.",
      "I do not know which sizes are in stock.",
      "I'm not sure about that.",
      "I couldn't find anything about gift cards.",
      "I have no information about parking.",
      "Das weiß ich leider nicht. Ich weiß es nicht.",
      "Não sei responder isso.",
    ])
      expect(admitsNotKnowing(text)).toBe(true);
    expect(admitsNotKnowing("We know the answer: 3 working days.")).toBe(false);
  });
});
