import { describe, expect, it } from "vitest";
import { decodeKeysetCursor, encodeKeysetCursor, keysetCursor } from "./paging";

describe("keyset cursors", () => {
  it("round-trips cursors at microsecond precision and rejects anything else", () => {
    const id = "0b6c5f1e-8a53-4f7e-9d7c-3a2f1e0d9c8b";
    const cursor = encodeKeysetCursor({ atMicros: "2026-03-01T10:00:00.123456Z", id });
    expect(decodeKeysetCursor(cursor)).toEqual({ at: "2026-03-01T10:00:00.123456Z", id });
    expect(decodeKeysetCursor(`2026-03-01T10:00:00.123Z_${id}`)).toBeNull();
    expect(decodeKeysetCursor("2026-03-01T10:00:00.123456Z_not-a-uuid-not-a-uuid-not-a-uuid-xx")).toBeNull();
  });

  it("refuses a malformed cursor as input with a message that says what to do", () => {
    const result = keysetCursor.safeParse("2026-03-01_not-a-cursor");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("This page cursor is invalid. Start again without one.");
  });
});
