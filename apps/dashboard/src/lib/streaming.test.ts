import { describe, expect, it } from "vitest";
import { foldStreaming, type Streaming } from "./streaming";

const delta = (messageId: string, index: number, text: string) => ({
  type: "message.delta" as const,
  conversationId: "c1",
  messageId,
  delta: text,
  index,
});

describe("replies being written", () => {
  it("appends deltas in order and drops one out of order", () => {
    let state: Streaming = {};
    state = foldStreaming(state, delta("m1", 0, "Hel"));
    state = foldStreaming(state, delta("m1", 2, "!!"));
    state = foldStreaming(state, delta("m1", 1, "lo"));
    expect(state).toEqual({ m1: { text: "Hello", next: 2 } });
  });

  it("forgets a reply once it is complete or discarded", () => {
    const state: Streaming = { m1: { text: "Hi", next: 1 }, m2: { text: "Yo", next: 1 } };
    const completed = foldStreaming(state, {
      type: "message.complete",
      conversationId: "c1",
      message: {
        id: "m1",
        role: "assistant",
        content: "Hi",
        citations: [],
        createdAt: "2026-01-01T00:00:00Z",
      },
    });
    expect(Object.keys(completed)).toEqual(["m2"]);
    const discarded = foldStreaming(completed, {
      type: "message.discarded",
      conversationId: "c1",
      messageId: "m2",
      reason: "stopped",
    });
    expect(discarded).toEqual({});
  });

  it("ignores other events", () => {
    const state: Streaming = {};
    expect(foldStreaming(state, { type: "typing", conversationId: "c1", who: "assistant", on: true })).toBe(
      state,
    );
  });
});
