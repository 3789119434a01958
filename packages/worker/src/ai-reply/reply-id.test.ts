import { describe, expect, it } from "vitest";
import { replyMessageId } from "./reply-id";

describe("replyMessageId", () => {
  it("is a stable UUID v5 per user message", () => {
    const a = replyMessageId("0b6f5f0e-8a43-4c1b-9b3a-2f1d5c6e7a80");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(replyMessageId("0b6f5f0e-8a43-4c1b-9b3a-2f1d5c6e7a80")).toBe(a);
    expect(replyMessageId("0b6f5f0e-8a43-4c1b-9b3a-2f1d5c6e7a81")).not.toBe(a);
  });
});
