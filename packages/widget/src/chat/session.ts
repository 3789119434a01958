import type { ApiClient } from "../api-client";
import type { EventEnvelope, Rating, WidgetStartOutput } from "../api-types";
import type { VisitorStore } from "../storage";
import { randomUuid } from "../uuid";
import { isTransientSendError, retryDelayMs, SEND_RETRY } from "./send-retry";
import {
  addUserMessage,
  applyEnvelope,
  type ChatState,
  fromHistory,
  initialState,
  markFailed,
  markRetrying,
  markSent,
  markStopped,
  setFeedback,
  withOlder,
} from "./state";

// One visitor's chat with one bot: API calls, the realtime subscription and the resulting state.

/** The part of `@avatar-chat/realtime/client` the session uses. */
export interface RealtimeConnection {
  subscribe(
    channel: string,
    listener: (envelope: EventEnvelope) => void,
    options?: { lastId?: number },
  ): () => void;
  close(): void;
}

export interface RealtimeConnectOptions {
  url: () => Promise<string>;
  onStatus(status: "connecting" | "open" | "closed"): void;
  /** The server lost part of the channel's history: reload the conversation through the API. */
  onGap(): void;
}

export interface ChatSessionDeps {
  api: ApiClient;
  publicKey: string;
  store: VisitorStore;
  connect(options: RealtimeConnectOptions): RealtimeConnection;
  onState(state: ChatState): void;
  onEnvelope?(envelope: EventEnvelope): void;
  /** True while the visitor has the server's voice on: sends ask for a spoken answer. */
  voice?: () => boolean;
  onConnection?(status: "connecting" | "open" | "closed"): void;
  newId?: () => string;
  now?: () => Date;
  /** Waits between send attempts (tests make it instant). */
  wait?: (ms: number) => Promise<void>;
}

const knownEvents = new Set([
  "message.delta",
  "message.complete",
  "message.discarded",
  "avatar.cue",
  "voice.audio",
  "typing",
  "conversation.state",
  "error",
]);

export function errorReason(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

export function createChatSession(deps: ChatSessionDeps) {
  const newId = deps.newId ?? (() => randomUuid());
  const now = deps.now ?? (() => new Date());
  const wait = deps.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let disposed = false;
  let state = initialState();
  let started: WidgetStartOutput | null = null;
  let connection: RealtimeConnection | null = null;
  let unsubscribe: (() => void) | null = null;
  let loadingOlder = false;

  const set = (next: ChatState) => {
    state = next;
    deps.onState(state);
  };

  const record = () => deps.store.load();

  const start = async (): Promise<WidgetStartOutput> => {
    const saved = record();
    const out = await deps.api.call("widget.start", {
      publicKey: deps.publicKey,
      ...(saved.visitorToken ? { visitorToken: saved.visitorToken } : {}),
    });
    started = out;
    deps.store.save({
      visitorToken: out.visitorToken,
      expiresAt: out.expiresAt,
      conversationId: out.conversation?.id ?? null,
    });
    return out;
  };

  /** A fresh token shortly before the old one expires, so reconnects keep working in long sessions. */
  const realtimeUrl = async () => {
    if (!started) throw new Error("not started");
    if (Date.parse(started.expiresAt) - now().getTime() < 60_000) await start();
    const base = started.realtimeUrl;
    return `${base}${base.includes("?") ? "&" : "?"}token=${encodeURIComponent(started.visitorToken)}`;
  };

  const reloadHistory = async (conversationId: string) => {
    const history = await deps.api.call("conversation.history", { conversationId });
    set(fromHistory(conversationId, history, history.lastEventId, state));
    return history.lastEventId;
  };

  const subscribe = (conversationId: string, lastId: number | null) => {
    unsubscribe?.();
    connection ??= deps.connect({
      url: realtimeUrl,
      onStatus: (status) => deps.onConnection?.(status),
      onGap: () => {
        if (state.conversationId) void reloadHistory(state.conversationId).catch(() => {});
      },
    });
    unsubscribe = connection.subscribe(
      `conv:${conversationId}`,
      (envelope) => {
        if (!knownEvents.has(envelope.event.type)) return;
        set(applyEnvelope(state, envelope));
        deps.onEnvelope?.(envelope);
      },
      lastId === null ? {} : { lastId },
    );
  };

  const ensureConversation = async (): Promise<string> => {
    if (state.conversationId) return state.conversationId;
    const { conversationId } = await deps.api.call("conversation.start", {});
    deps.store.save({ ...record(), conversationId });
    set({ ...state, conversationId });
    // A new conversation: everything on its channel is news, so read from the start.
    subscribe(conversationId, 0);
    return conversationId;
  };

  /** Sends until stored; a passing failure is retried by itself (send-retry.ts), others wait for a click. */
  const deliver = async (content: string, clientMessageId: string, voiceInputId?: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const conversationId = await ensureConversation();
        const sent = await deps.api.call("conversation.send", {
          conversationId,
          content,
          clientMessageId,
          ...(deps.voice?.() ? { voice: true } : {}),
          ...(voiceInputId ? { voiceInputId } : {}),
        });
        set(markSent(state, clientMessageId, sent.messageId));
        return;
      } catch (error) {
        if (disposed || !isTransientSendError(error) || attempt + 1 >= SEND_RETRY.attempts) {
          set(markFailed(state, clientMessageId, errorReason(error)));
          return;
        }
        set(markRetrying(state, clientMessageId));
        await wait(retryDelayMs(attempt));
      }
    }
  };

  return {
    get state() {
      return state;
    },
    /** Starts (or resumes) the visitor session; throws with the API's reason so the UI can offer a retry. */
    async start(): Promise<WidgetStartOutput> {
      const out = await start();
      const conversation = out.conversation;
      if (conversation) {
        set(fromHistory(conversation.id, conversation, null, state));
        // History gives the event id the stored messages reach, so the subscription resumes exactly there.
        const lastId = await reloadHistory(conversation.id).catch(() => null);
        subscribe(conversation.id, lastId);
      } else set(state);
      return out;
    },
    /** `voiceInputId`: the message was spoken and the server kept its recording (linked to the message). */
    async send(content: string, voiceInputId?: string): Promise<void> {
      const clientMessageId = newId();
      set(addUserMessage(state, content, clientMessageId, now().toISOString(), voiceInputId));
      await deliver(content, clientMessageId, voiceInputId);
    },
    /** The conversation's id, starting one first when there is none (a recording needs it). */
    conversationId: ensureConversation,
    /** Sends a failed message again with its original client id, so the server can drop a duplicate. */
    async retry(clientMessageId: string): Promise<void> {
      const message = state.messages.find(
        (m) => m.clientMessageId === clientMessageId && m.status === "failed",
      );
      if (!message) return;
      set({
        ...state,
        messages: state.messages.map((m) => (m === message ? { ...m, status: "sending" as const } : m)),
      });
      await deliver(message.content, clientMessageId, message.voiceInputId);
    },
    async stop(): Promise<void> {
      set(markStopped(state));
      if (state.conversationId)
        await deps.api.call("conversation.stop", { conversationId: state.conversationId });
    },
    async feedback(messageId: string, rating: Rating): Promise<void> {
      set(setFeedback(state, messageId, rating));
      await deps.api.call("conversation.feedback", { messageId, rating });
    },
    /** Reads the page before the oldest message shown (the visitor scrolled to the top). */
    async loadOlder(): Promise<void> {
      const { conversationId, olderCursor } = state;
      if (!conversationId || !olderCursor || loadingOlder) return;
      loadingOlder = true;
      try {
        const page = await deps.api.call("conversation.history", { conversationId, cursor: olderCursor });
        if (state.conversationId === conversationId) set(withOlder(state, page));
      } finally {
        loadingOlder = false;
      }
    },
    /** Asks for a person; the bot keeps answering until one takes over. */
    async requestHuman(): Promise<void> {
      const conversationId = await ensureConversation();
      const { handoff } = await deps.api.call("conversation.requestHuman", { conversationId });
      set({ ...state, handoff });
    },
    /** Shows a local message without the server (the greeting, a preview). */
    local(next: ChatState) {
      set(next);
    },
    dispose() {
      disposed = true;
      unsubscribe?.();
      connection?.close();
      connection = null;
    },
  };
}

export type ChatSession = ReturnType<typeof createChatSession>;
