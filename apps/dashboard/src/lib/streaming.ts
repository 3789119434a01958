import type { Envelope } from "@avatar-chat/protocol";

/** Replies being written right now, by message id: the text so far and the next delta index expected. */
export type Streaming = Record<string, { text: string; next: number }>;

/**
 * Folds a conversation channel event into the replies in progress. Deltas arrive in order from the
 * realtime client; one out of order (a gap after a reconnect) is dropped, the final message fixes it.
 */
export function foldStreaming(state: Streaming, event: Envelope["event"]): Streaming {
  if (event.type === "message.delta") {
    const current = state[event.messageId] ?? { text: "", next: 0 };
    if (event.index !== current.next) return state;
    return { ...state, [event.messageId]: { text: current.text + event.delta, next: current.next + 1 } };
  }
  if (event.type === "message.complete" || event.type === "message.discarded") {
    const id = event.type === "message.complete" ? event.message.id : event.messageId;
    if (!(id in state)) return state;
    const { [id]: _done, ...rest } = state;
    return rest;
  }
  return state;
}
