import type { ChatMessage, ConversationEvent, EventEnvelope, Handoff, Rating } from "../api-types";

// The conversation as the widget shows it, changed only by pure functions so that replays after a
// reconnect (the same event twice, a delta re-sent) cannot duplicate or lose text.

export type MessageStatus = "sending" | "failed" | "streaming" | "complete" | "stopped";

export interface ViewMessage extends ChatMessage {
  status: MessageStatus;
  /** Deltas by index; the shown text is the contiguous run from 0, so a gap waits for its delta. */
  parts?: string[];
  clientMessageId?: string;
  /** Spoken, and the server kept its recording: a retried send links it again. */
  voiceInputId?: string;
  /** Still `sending`: an attempt failed for a passing reason and the widget sends it again by itself. */
  retrying?: boolean;
  error?: string;
  /** Shown by the widget only (greeting, preview): not stored, so no feedback. */
  local?: boolean;
}

export interface ChatState {
  conversationId: string | null;
  messages: ViewMessage[];
  handoff: Handoff;
  agentName: string | null;
  typing: boolean;
  lastEventId: number | null;
  error: string | null;
  /** Reads the messages before the oldest one shown; null when there are none. */
  olderCursor: string | null;
}

/** A page of stored messages (oldest first) as `widget.start` and `conversation.history` return it. */
export interface StoredPage {
  messages: readonly ChatMessage[];
  nextCursor: string | null;
  handoff?: Handoff;
}

export function initialState(): ChatState {
  return {
    conversationId: null,
    messages: [],
    handoff: "bot",
    agentName: null,
    typing: false,
    lastEventId: null,
    error: null,
    olderCursor: null,
  };
}

const stored = (m: ChatMessage): ViewMessage => ({ ...m, status: "complete" });

/** The newest page from the server; older pages the visitor already scrolled to stay in front of it. */
export function fromHistory(
  conversationId: string,
  page: StoredPage,
  lastEventId: number | null,
  previous: ChatState = initialState(),
): ChatState {
  // Keep local messages the server has not stored yet (still sending, or failed to send).
  const known = new Set(page.messages.map((m) => m.id));
  const unsent = previous.messages.filter(
    (m) => (m.status === "sending" || m.status === "failed") && !known.has(m.id),
  );
  const first = page.messages[0];
  const older =
    previous.conversationId === conversationId && first
      ? previous.messages.filter(
          (m) =>
            (m.status === "complete" || m.status === "stopped") &&
            !m.local &&
            !known.has(m.id) &&
            m.createdAt <= first.createdAt,
        )
      : [];
  return {
    ...previous,
    conversationId,
    messages: [...older, ...page.messages.map(stored), ...unsent],
    olderCursor: older.length > 0 ? previous.olderCursor : page.nextCursor,
    handoff: page.handoff ?? previous.handoff,
    typing: false,
    lastEventId,
    error: null,
  };
}

/** An older page (scrolled to the top) goes in front of what is shown. */
export function withOlder(state: ChatState, page: StoredPage): ChatState {
  const known = new Set(state.messages.map((m) => m.id));
  const older = page.messages.filter((m) => !known.has(m.id)).map(stored);
  return { ...state, messages: [...older, ...state.messages], olderCursor: page.nextCursor };
}

function joinedText(parts: readonly string[]): string {
  let text = "";
  for (let i = 0; i < parts.length && parts[i] !== undefined; i++) text += parts[i];
  return text;
}

function upsert(messages: readonly ViewMessage[], message: ViewMessage): ViewMessage[] {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at === -1) return [...messages, message];
  return messages.map((m, i) => (i === at ? message : m));
}

function applyConversationEvent(state: ChatState, event: ConversationEvent, at: string): ChatState {
  switch (event.type) {
    case "message.delta": {
      const existing = state.messages.find((m) => m.id === event.messageId);
      if (existing && existing.status !== "streaming") return state;
      const parts = [...(existing?.parts ?? [])];
      if (parts[event.index] !== undefined) return state;
      parts[event.index] = event.delta;
      const message: ViewMessage = existing
        ? { ...existing, parts, content: joinedText(parts) }
        : {
            id: event.messageId,
            role: "assistant",
            content: joinedText(parts),
            citations: [],
            createdAt: at,
            status: "streaming",
            parts,
          };
      return { ...state, typing: false, messages: upsert(state.messages, message) };
    }
    case "message.complete": {
      const { message } = event;
      // The echo of the visitor's own message can arrive before the send call returns its id:
      // then it replaces the oldest local message with the same text that is still sending.
      const local =
        state.messages.find((m) => m.id === message.id) ??
        (message.role === "user"
          ? state.messages.find(
              (m) => m.status === "sending" && m.role === "user" && m.content === message.content,
            )
          : undefined);
      const complete: ViewMessage = {
        ...message,
        status: local?.status === "stopped" ? "stopped" : "complete",
      };
      const messages = local
        ? state.messages.map((m) => (m === local ? complete : m))
        : upsert(state.messages, complete);
      return { ...state, typing: false, messages };
    }
    case "message.discarded":
      return { ...state, messages: state.messages.filter((m) => m.id !== event.messageId) };
    case "typing":
      return event.who === "visitor" ? state : { ...state, typing: event.on };
    case "conversation.state":
      return { ...state, handoff: event.handoff, agentName: event.agentName ?? null };
    case "error":
      return {
        ...state,
        typing: false,
        error: event.message,
        messages: state.messages.map((m) =>
          m.status === "streaming" ? { ...m, status: "failed", error: event.message } : m,
        ),
      };
    default:
      // avatar.cue and event types of other consumers (presence, inbox updates) leave the transcript alone.
      return state;
  }
}

/** Applies one realtime event; events at or before `lastEventId` were already applied and are skipped. */
export function applyEnvelope(state: ChatState, envelope: EventEnvelope): ChatState {
  if (state.lastEventId !== null && envelope.id <= state.lastEventId) return state;
  return { ...applyConversationEvent(state, envelope.event, envelope.at), lastEventId: envelope.id };
}

export function addUserMessage(
  state: ChatState,
  content: string,
  clientMessageId: string,
  at: string,
  voiceInputId?: string,
): ChatState {
  const message: ViewMessage = {
    id: clientMessageId,
    clientMessageId,
    role: "user",
    content,
    citations: [],
    createdAt: at,
    status: "sending",
    ...(voiceInputId ? { voiceInputId } : {}),
  };
  return { ...state, error: null, messages: [...state.messages, message] };
}

function withoutRetrying({ retrying: _, ...message }: ViewMessage): ViewMessage {
  return message;
}

/** The server stored the message: adopt its id so the later `message.complete` echo replaces it. */
export function markSent(state: ChatState, clientMessageId: string, messageId: string): ChatState {
  const echoed = state.messages.some((m) => m.id === messageId && m.clientMessageId !== clientMessageId);
  return {
    ...state,
    typing: true,
    messages: echoed
      ? state.messages.filter((m) => !(m.clientMessageId === clientMessageId && m.id !== messageId))
      : state.messages.map((m) =>
          m.clientMessageId === clientMessageId && m.role === "user"
            ? { ...withoutRetrying(m), id: messageId, status: "complete" }
            : m,
        ),
  };
}

/** A send attempt failed for a passing reason; the message stays `sending` and says it is being retried. */
export function markRetrying(state: ChatState, clientMessageId: string): ChatState {
  return {
    ...state,
    messages: state.messages.map((m) =>
      m.clientMessageId === clientMessageId && m.status === "sending" ? { ...m, retrying: true } : m,
    ),
  };
}

export function markFailed(state: ChatState, clientMessageId: string, reason: string): ChatState {
  return {
    ...state,
    messages: state.messages.map((m) =>
      m.clientMessageId === clientMessageId && m.status === "sending"
        ? { ...withoutRetrying(m), status: "failed", error: reason }
        : m,
    ),
  };
}

export function markStopped(state: ChatState): ChatState {
  return {
    ...state,
    typing: false,
    messages: state.messages.map((m) => (m.status === "streaming" ? { ...m, status: "stopped" } : m)),
  };
}

export function setFeedback(state: ChatState, messageId: string, rating: Rating): ChatState {
  return {
    ...state,
    messages: state.messages.map((m) => (m.id === messageId ? { ...m, feedback: rating } : m)),
  };
}

export function isAnswering(state: ChatState): boolean {
  return state.typing || state.messages.some((m) => m.status === "streaming");
}
