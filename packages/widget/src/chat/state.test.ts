import { describe, expect, it } from "vitest";
import type { ChatMessage, ConversationEvent, EventEnvelope } from "../api-types";
import {
  addUserMessage,
  applyEnvelope,
  type ChatState,
  fromHistory,
  initialState,
  isAnswering,
  markFailed,
  markSent,
  markStopped,
  withOlder,
} from "./state";

const conv = "c1";
let n = 0;
const envelope = (event: ConversationEvent, id = ++n): EventEnvelope => ({
  id,
  channel: `conv:${conv}`,
  at: "2026-01-01T00:00:00.000Z",
  event,
});
const delta = (index: number, text: string, id?: number) =>
  envelope({ type: "message.delta", conversationId: conv, messageId: "m1", delta: text, index }, id);
const apply = (state: ChatState, ...envelopes: EventEnvelope[]) => envelopes.reduce(applyEnvelope, state);

const answer: ChatMessage = {
  id: "m1",
  role: "assistant",
  content: "Hello world",
  citations: [{ sourceId: "s1", title: "Doc", snippet: "…" }],
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("chat state", () => {
  it("streams deltas into one assistant message", () => {
    const state = apply(initialState(), delta(0, "Hello"), delta(1, " world"));
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]).toMatchObject({ id: "m1", content: "Hello world", status: "streaming" });
    expect(isAnswering(state)).toBe(true);
  });

  it("ignores replayed envelopes and re-sent deltas after a reconnect", () => {
    const first = delta(0, "Hello", 1);
    const second = delta(1, " world", 2);
    const state = apply(initialState(), first, second, first, second, delta(1, " world", 3));
    expect(state.messages[0]?.content).toBe("Hello world");
    expect(state.lastEventId).toBe(3);
  });

  it("shows only contiguous text when a delta is missing, and fills the gap later", () => {
    let state = apply(initialState(), delta(0, "A", 1), delta(2, "C", 3));
    expect(state.messages[0]?.content).toBe("A");
    state = { ...state, lastEventId: 1 }; // the gap is re-fetched from the stream
    state = apply(state, delta(1, "B", 2));
    expect(state.messages[0]?.content).toBe("ABC");
  });

  it("replaces the streamed text with the final message and its citations", () => {
    const state = apply(
      initialState(),
      delta(0, "Hel"),
      envelope({ type: "message.complete", conversationId: conv, message: answer }),
      delta(1, "lo late"),
    );
    expect(state.messages).toEqual([{ ...answer, status: "complete" }]);
    expect(isAnswering(state)).toBe(false);
  });

  it("removes discarded messages", () => {
    const state = apply(
      initialState(),
      delta(0, "x"),
      envelope({ type: "message.discarded", messageId: "m1" }),
    );
    expect(state.messages).toEqual([]);
  });

  it("tracks handoff and errors", () => {
    let state = apply(
      initialState(),
      envelope({ type: "conversation.state", handoff: "agent", agentName: "Eva" }),
      delta(0, "part"),
      envelope({ type: "error", code: "PROVIDER", message: "provider down" }),
    );
    expect(state).toMatchObject({ handoff: "agent", agentName: "Eva", error: "provider down" });
    expect(state.messages[0]).toMatchObject({ status: "failed", error: "provider down" });
    state = apply(state, envelope({ type: "conversation.state", handoff: "bot" }));
    expect(state.agentName).toBeNull();
  });

  it("walks a user message through sending, sent and the server echo", () => {
    let state = addUserMessage(initialState(), "Hi", "client-1", "2026-01-01T00:00:00.000Z");
    expect(state.messages[0]).toMatchObject({ status: "sending", id: "client-1" });
    state = markSent(state, "client-1", "u1");
    expect(state.messages[0]).toMatchObject({ status: "complete", id: "u1" });
    expect(state.typing).toBe(true);
    state = apply(
      state,
      envelope({
        type: "message.complete",
        conversationId: conv,
        message: { ...answer, id: "u1", role: "user" },
      }),
    );
    expect(state.messages).toHaveLength(1);
  });

  it("keeps one user message when the echo arrives before the send call returns", () => {
    let state = addUserMessage(initialState(), "Hello world", "client-1", "t");
    state = apply(
      state,
      envelope({
        type: "message.complete",
        conversationId: conv,
        message: { ...answer, id: "u1", role: "user" },
      }),
    );
    expect(state.messages.map((m) => [m.id, m.status])).toEqual([["u1", "complete"]]);
    state = markSent(state, "client-1", "u1");
    expect(state.messages.map((m) => m.id)).toEqual(["u1"]);
  });

  it("marks failed sends and stopped answers", () => {
    let state = addUserMessage(initialState(), "Hi", "client-1", "t");
    state = markFailed(state, "client-1", "offline");
    expect(state.messages[0]).toMatchObject({ status: "failed", error: "offline" });
    state = markStopped(apply(state, delta(0, "partial")));
    expect(state.messages[1]?.status).toBe("stopped");
    state = apply(state, envelope({ type: "message.complete", conversationId: conv, message: answer }));
    expect(state.messages[1]).toMatchObject({ status: "stopped", content: "Hello world" });
  });

  it("rebuilds from history and keeps unsent local messages", () => {
    const local = markFailed(addUserMessage(initialState(), "lost", "client-9", "t"), "client-9", "offline");
    const state = fromHistory(conv, { messages: [answer], nextCursor: null }, 17, local);
    expect(state.messages.map((m) => [m.id, m.status])).toEqual([
      ["m1", "complete"],
      ["client-9", "failed"],
    ]);
    expect(state.lastEventId).toBe(17);
  });

  it("puts older pages in front, keeps them over a reload of the newest page, and takes the handoff", () => {
    const at = (i: number) => `2026-01-01T00:00:0${i}.000Z`;
    const msg = (i: number): ChatMessage => ({ ...answer, id: `m${i}`, content: `${i}`, createdAt: at(i) });
    let state = fromHistory(conv, { messages: [msg(4), msg(5)], nextCursor: "c-4", handoff: "requested" }, 3);
    expect(state).toMatchObject({ olderCursor: "c-4", handoff: "requested" });
    state = withOlder(state, { messages: [msg(2), msg(3), msg(4)], nextCursor: "c-2" });
    expect(state.messages.map((m) => m.id)).toEqual(["m2", "m3", "m4", "m5"]);
    expect(state.olderCursor).toBe("c-2");
    // A gap reload returns the newest page only: what was scrolled to stays, and so does its cursor.
    state = fromHistory(conv, { messages: [msg(5), msg(6)], nextCursor: "c-5", handoff: "agent" }, 9, state);
    expect(state.messages.map((m) => m.id)).toEqual(["m2", "m3", "m4", "m5", "m6"]);
    expect(state).toMatchObject({ olderCursor: "c-2", handoff: "agent", lastEventId: 9 });
    state = withOlder(state, { messages: [msg(1)], nextCursor: null });
    expect(state.messages[0]?.id).toBe("m1");
    expect(state.olderCursor).toBeNull();
  });
});
