// The widget's view of the API contract: only what the widget reads and sends, written out so the
// bundle needs nothing from the api package. api-contract.check.ts proves at typecheck time that
// the real router (`AppRouter` from @avatar-chat/api) still fits these shapes.

export interface Citation {
  sourceId: string;
  title: string;
  snippet: string;
  url?: string;
}

export type Role = "user" | "assistant" | "agent" | "system";
export type Rating = "up" | "down";

export interface ChatMessage {
  id: string;
  role: Role;
  content: string;
  citations: Citation[];
  createdAt: string;
  feedback?: Rating | null;
}

export type AvatarKind = "default" | "glb" | "vrm";

export interface ChatbotConfig {
  id: string;
  name: string;
  greeting: string;
  locale: string;
  theme: { primaryColor?: string; position?: "left" | "right"; dark?: boolean };
  avatar: { kind: AvatarKind; url?: string; voice?: string };
  /** The server speaks answers for visitors who turn voice on (absent from older servers: browser speech). */
  serverVoice?: boolean;
  /** The tenant's AI provider transcribes recordings (`POST /voice-input/<conversationId>`). */
  transcription?: boolean;
}

export interface WidgetStartInput {
  publicKey: string;
  visitorToken?: string;
}

export interface WidgetStartOutput {
  visitorToken: string;
  visitorId: string;
  expiresAt: string;
  realtimeUrl: string;
  chatbot: ChatbotConfig;
  /** The open conversation with its newest messages; `nextCursor` reads older ones through history. */
  conversation: { id: string; handoff: Handoff; messages: ChatMessage[]; nextCursor: string | null } | null;
}

export type Handoff = "bot" | "requested" | "agent";

/** One page of a transcript, oldest first; `nextCursor` continues with older messages (null: none left). */
export interface HistoryPage {
  messages: ChatMessage[];
  nextCursor: string | null;
  lastEventId: number | null;
  handoff: Handoff;
}

/** Every procedure the widget calls: kind, input and output. */
export interface WidgetProcedures {
  "widget.config": { kind: "query"; input: { publicKey: string }; output: ChatbotConfig };
  "widget.start": { kind: "mutation"; input: WidgetStartInput; output: WidgetStartOutput };
  "conversation.start": {
    kind: "mutation";
    input: Record<string, never>;
    output: { conversationId: string };
  };
  "conversation.send": {
    kind: "mutation";
    input: {
      conversationId: string;
      content: string;
      clientMessageId: string;
      voice?: boolean;
      voiceInputId?: string;
    };
    output: { messageId: string; conversationId: string };
  };
  "conversation.history": {
    kind: "query";
    input: { conversationId: string; cursor?: string };
    output: HistoryPage;
  };
  "conversation.requestHuman": {
    kind: "mutation";
    input: { conversationId: string };
    output: { conversationId: string; handoff: Handoff };
  };
  "conversation.stop": { kind: "mutation"; input: { conversationId: string }; output: unknown };
  "conversation.feedback": {
    kind: "mutation";
    input: { messageId: string; rating: Rating; comment?: string };
    output: unknown;
  };
}

export type AvatarCueName =
  | "happy"
  | "sad"
  | "thinking"
  | "surprised"
  | "neutral"
  | "nod"
  | "shake"
  | "wave"
  | "speaking.start"
  | "speaking.stop";

/** Realtime events on `conv:<conversationId>` that the widget understands (a subset of the protocol's). */
export type ConversationEvent =
  | { type: "message.delta"; conversationId: string; messageId: string; delta: string; index: number }
  | { type: "message.complete"; conversationId: string; message: ChatMessage }
  | { type: "message.discarded"; messageId: string; reason?: string }
  | { type: "avatar.cue"; cue: AvatarCueName }
  | VoiceAudioEvent
  | { type: "typing"; who: "assistant" | "agent" | "visitor"; on: boolean }
  | { type: "conversation.state"; handoff: Handoff; agentName?: string }
  | { type: "error"; code: string; message: string };

/** One spoken sentence of a reply; its audio is at `/voice/<audioId>` on the api for a few minutes. */
export interface VoiceAudioEvent {
  type: "voice.audio";
  messageId: string;
  index: number;
  audioId: string;
  contentType: string;
  text: string;
}

/** What travels on a channel (as in @avatar-chat/protocol): the event plus its per-channel id 1, 2, 3… */
export interface EventEnvelope {
  id: number;
  channel: string;
  at: string;
  event: ConversationEvent;
}
