import { z } from "zod";
import type { SpokenAudio } from "../voice/espeak";

/** Every embedding in the platform has this many dimensions (the `vector(256)` column). */
export const EMBEDDING_DIMENSIONS = 256;

export const providerSettingsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("offline") }),
  z.object({
    kind: z.literal("openai"),
    baseUrl: z.url().optional(),
    apiKey: z.string().min(1),
    chatModel: z.string().min(1),
    embeddingModel: z.string().min(1),
  }),
]);
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A retrieved passage handed to the provider; the offline provider answers from these alone. */
export interface ContextChunk {
  content: string;
  sourceTitle: string;
  sourceUrl?: string | null;
}

export interface ChatContext {
  chunks: readonly ContextChunk[];
  /** Used by the offline provider to say what it can help with when nothing matches. */
  greeting?: string;
  topics?: readonly string[];
}

export interface StreamChatOptions {
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  context?: ChatContext;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type FinishReason = "stop" | "length" | "content_filter" | "other";

export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "finish"; reason: FinishReason; usage: Usage };

export interface SpeechOptions {
  /** The provider's voice name; empty: its default. */
  voice: string;
  /** 1 = normal. */
  speed: number;
  signal?: AbortSignal;
}

export interface TranscriptionOptions {
  /** The recording's media type (`audio/webm`, `audio/ogg`, `audio/mp4`, `audio/wav`). */
  contentType: string;
  /** ISO-639-1 language hint (`en`, `de`); absent: the provider guesses. */
  language?: string;
  signal?: AbortSignal;
}

export interface Provider {
  kind: ProviderSettings["kind"];
  /** A short recording as text, through the provider's transcription endpoint; absent where there is none. */
  transcribe?(audio: Uint8Array, options: TranscriptionOptions): Promise<string>;
  /** Speaks one sentence through the provider's speech endpoint; absent where there is none. */
  speak?(text: string, options: SpeechOptions): Promise<SpokenAudio>;
  streamChat(messages: readonly ChatMessage[], options?: StreamChatOptions): AsyncIterable<ChatStreamEvent>;
  /** Returns one EMBEDDING_DIMENSIONS-long vector per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
  /** Resolves when the provider answers a cheap request; throws a ProviderError otherwise. */
  testConnection(): Promise<void>;
}
