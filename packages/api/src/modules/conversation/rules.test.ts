import { describe, expect, it } from "vitest";
import { decodeKeysetCursor, encodeKeysetCursor, humanRequestedNotice, humanRequestOutcome } from "./rules";

describe("conversation rules", () => {
  it("requests a person only from the bot, never twice, never when closed", () => {
    expect(humanRequestOutcome({ status: "open", handoff: "bot" })).toBe("request");
    expect(humanRequestOutcome({ status: "open", handoff: "requested" })).toBe("unchanged");
    expect(humanRequestOutcome({ status: "open", handoff: "agent" })).toBe("unchanged");
    expect(humanRequestOutcome({ status: "closed", handoff: "bot" })).toBe("closed");
  });

  it("words the notice in the chatbot's language, English otherwise", () => {
    expect(humanRequestedNotice("pt-BR")).toMatch(/^Você pediu/);
    expect(humanRequestedNotice("fr")).toBe(humanRequestedNotice("en"));
  });

  it("round-trips message cursors at microsecond precision and rejects anything else", () => {
    const id = "0b6c5f1e-8a53-4f7e-9d7c-3a2f1e0d9c8b";
    const cursor = encodeKeysetCursor({ atMicros: "2026-03-01T10:00:00.123456Z", id });
    expect(decodeKeysetCursor(cursor)).toEqual({ at: "2026-03-01T10:00:00.123456Z", id });
    expect(decodeKeysetCursor(`2026-03-01T10:00:00.123Z_${id}`)).toBeNull();
    expect(decodeKeysetCursor("2026-03-01T10:00:00.123456Z_not-a-uuid-not-a-uuid-not-a-uuid-xx")).toBeNull();
  });
});
