import { z } from "zod";

/** Every event the realtime layer carries. One schema per shape; worker, api, widget and dashboard import these. */
const conversationId = z.string().min(1);

export const citationSchema = z.object({
  sourceId: z.string(),
  title: z.string(),
  snippet: z.string(),
  url: z.string().optional(),
});

/** Expressions and gestures a model may ask for inline (`[[happy]]`); the worker strips them from the text. */
export const modelCues = [
  "happy",
  "sad",
  "thinking",
  "surprised",
  "neutral",
  "nod",
  "shake",
  "wave",
] as const;

/** Every avatar cue on the wire: the model's, plus the worker's own speaking start/stop. */
export const avatarCues = [...modelCues, "speaking.start", "speaking.stop"] as const;

export const handoffStates = ["bot", "requested", "agent"] as const;

export const messageDeltaEvent = z.object({
  type: z.literal("message.delta"),
  conversationId,
  messageId: z.string(),
  delta: z.string(),
  /** Position of this delta within the message, from 0; lets a client spot a missing delta. */
  index: z.number().int().nonnegative(),
});

export const messageCompleteEvent = z.object({
  type: z.literal("message.complete"),
  conversationId,
  message: z.object({
    id: z.string(),
    /** `system`: a platform notice in the transcript (e.g. "you asked for a person"), never rated. */
    role: z.enum(["user", "assistant", "agent", "system"]),
    content: z.string(),
    citations: z.array(citationSchema),
    createdAt: z.string(),
  }),
});

export const messageDiscardedEvent = z.object({
  type: z.literal("message.discarded"),
  conversationId,
  messageId: z.string(),
  reason: z.string(),
});

export const avatarCueEvent = z.object({
  type: z.literal("avatar.cue"),
  conversationId,
  messageId: z.string(),
  cue: z.enum(avatarCues),
});

/**
 * One sentence of a reply, spoken: `index` counts the reply's sentences from 0 (a client plays them in
 * order and never twice); the audio itself is fetched from `voiceAudioPath(audioId)` while it lives.
 */
export const voiceAudioEvent = z.object({
  type: z.literal("voice.audio"),
  conversationId,
  messageId: z.string(),
  index: z.number().int().nonnegative(),
  audioId: z.string(),
  contentType: z.string(),
  text: z.string(),
});

export const typingEvent = z.object({
  type: z.literal("typing"),
  conversationId,
  who: z.enum(["assistant", "agent", "visitor"]),
  on: z.boolean(),
});

export const conversationStateEvent = z.object({
  type: z.literal("conversation.state"),
  conversationId,
  status: z.string(),
  handoff: z.enum(handoffStates),
  agentName: z.string().optional(),
});

/** Tenant inbox row update, published on the tenant channel. */
export const conversationUpdatedEvent = z.object({
  type: z.literal("conversation.updated"),
  conversationId,
  chatbotId: z.string(),
  lastMessagePreview: z.string(),
  lastMessageAt: z.string(),
  status: z.string(),
  handoff: z.enum(handoffStates),
});

export const knowledgeStatusEvent = z.object({
  type: z.literal("knowledge.status"),
  sourceId: z.string(),
  chatbotId: z.string(),
  status: z.enum(["pending", "indexing", "ready", "failed"]),
  error: z.string().optional(),
  chunkCount: z.number().int().nonnegative().optional(),
});

/**
 * Who is here now. `chatbot` scope goes to the tenant channel (visitors online per chatbot);
 * `conversation` scope goes to the conversation channel (agents viewing it). Lists are complete
 * snapshots, so a client never has to merge joins and leaves.
 */
export const presenceEvent = z.discriminatedUnion("scope", [
  z.object({
    type: z.literal("presence"),
    scope: z.literal("chatbot"),
    chatbotId: z.string(),
    visitorIds: z.array(z.string()),
  }),
  z.object({
    type: z.literal("presence"),
    scope: z.literal("conversation"),
    conversationId,
    viewerUserIds: z.array(z.string()),
  }),
]);

export const errorEvent = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
});

export const realtimeEventSchema = z.discriminatedUnion("type", [
  messageDeltaEvent,
  messageCompleteEvent,
  messageDiscardedEvent,
  avatarCueEvent,
  voiceAudioEvent,
  typingEvent,
  conversationStateEvent,
  conversationUpdatedEvent,
  knowledgeStatusEvent,
  presenceEvent,
  errorEvent,
]);

export type RealtimeEvent = z.infer<typeof realtimeEventSchema>;
export type RealtimeEventType = RealtimeEvent["type"];
export type EventOf<T extends RealtimeEventType> = Extract<RealtimeEvent, { type: T }>;
export type AvatarCue = (typeof avatarCues)[number];

/** What travels on a channel: the event plus its per-channel id (1, 2, 3, ... with no gaps). */
export const envelopeSchema = z.object({
  id: z.number().int().positive(),
  channel: z.string(),
  at: z.string(),
  event: realtimeEventSchema,
});

export type Envelope<E extends RealtimeEvent = RealtimeEvent> = {
  id: number;
  channel: string;
  at: string;
  event: E;
};
