import OpenAI, { toFile } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { countTokens } from "../tokens";
import type { SpokenAudio } from "../voice/espeak";
import { ProviderError, toProviderError } from "./errors";
import { createPinnedFetch } from "./pinned-fetch";
import type { ProviderNetworkPolicy, Resolve } from "./provider-target";
import {
  type ChatMessage,
  type ChatStreamEvent,
  EMBEDDING_DIMENSIONS,
  type FinishReason,
  type Provider,
  type ProviderSettings,
  type SpeechOptions,
  type StreamChatOptions,
  type TranscriptionOptions,
  type Usage,
} from "./types";

type OpenAISettings = Extract<ProviderSettings, { kind: "openai" }>;

export interface ProviderOptions {
  timeoutMs?: number;
  /** Non-public addresses the base URL may reach; default none (docs/ai.md, "Provider network"). */
  network?: ProviderNetworkPolicy;
  /** DNS resolution; injectable so tests can map names to a local server. */
  resolve?: Resolve;
}

/** The speech model every OpenAI-compatible speech server knows; the voice is the chatbot's setting. */
const SPEECH_MODEL = "tts-1";
const DEFAULT_SPEECH_VOICE = "alloy";
/** The transcription model every Whisper-compatible server knows. */
const TRANSCRIPTION_MODEL = "whisper-1";
/** File name extensions the transcription endpoint infers the container from. */
const AUDIO_EXTENSIONS: Record<string, string> = {
  "audio/webm": "webm",
  "audio/ogg": "ogg",
  "audio/mp4": "mp4",
  "audio/wav": "wav",
};

// Keeps each embeddings request well under the API's input limits.
const EMBED_BATCH = 128;

/** Any OpenAI-compatible server (OpenAI, vLLM, Ollama, LM Studio...) through the official SDK. */
export function createOpenAIProvider(settings: OpenAISettings, options: ProviderOptions = {}): Provider {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    // The job queue owns retries; the SDK retrying too would multiply attempts and hide rate limits.
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
    // Every request re-checks the host: a tenant's DNS may point inward after the settings were saved.
    fetch: createPinnedFetch(options.network ?? {}, options.resolve),
  });

  async function* streamChat(
    messages: readonly ChatMessage[],
    opts: StreamChatOptions = {},
  ): AsyncGenerator<ChatStreamEvent> {
    const { signal } = opts;
    let finish: FinishReason | null = null;
    let usage: Usage | null = null;
    let completion = "";
    try {
      const stream = await client.chat.completions.create(
        {
          model: settings.chatModel,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          stream: true,
          stream_options: { include_usage: true },
          ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
          // `max_tokens` rather than `max_completion_tokens`: the one every compatible server accepts.
          ...(opts.maxTokens === undefined ? {} : { max_tokens: opts.maxTokens }),
        },
        signal ? { signal } : {},
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) {
          completion += text;
          yield { type: "delta", text };
        }
        if (choice?.finish_reason) finish = finishReason(choice.finish_reason);
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (error) {
      throw toProviderError(error, signal);
    }
    if (signal?.aborted) throw new ProviderError("cancelled", "request cancelled");
    // A stream that ends without a finish reason was cut short; the partial answer must not count as done.
    if (finish === null)
      throw new ProviderError("transient", "provider stream ended without a finish reason");
    yield {
      type: "finish",
      reason: finish,
      usage: usage ?? {
        promptTokens: countTokens(messages.map((m) => m.content).join("\n")),
        completionTokens: countTokens(completion),
      },
    };
  }

  async function embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH) {
      const batch = texts.slice(start, start + EMBED_BATCH);
      let response: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        response = await client.embeddings.create({
          model: settings.embeddingModel,
          input: batch,
          dimensions: EMBEDDING_DIMENSIONS,
          encoding_format: "float",
        });
      } catch (error) {
        throw toProviderError(error);
      }
      const ordered = [...response.data].sort((a, b) => a.index - b.index);
      if (ordered.length !== batch.length) {
        throw new ProviderError("permanent", `expected ${batch.length} embeddings, got ${ordered.length}`);
      }
      for (const item of ordered) {
        if (item.embedding.length !== EMBEDDING_DIMENSIONS) {
          throw new ProviderError(
            "permanent",
            `embedding model returned ${item.embedding.length} dimensions, expected ${EMBEDDING_DIMENSIONS}`,
          );
        }
        vectors.push(item.embedding);
      }
    }
    return vectors;
  }

  async function testConnection(): Promise<void> {
    try {
      await client.models.list();
    } catch (error) {
      throw toProviderError(error);
    }
  }

  /** One sentence through the speech endpoint; MP3 asked for (small), the type taken from the answer. */
  async function speak(text: string, opts: SpeechOptions): Promise<SpokenAudio> {
    try {
      const response = await client.audio.speech.create(
        {
          model: SPEECH_MODEL,
          input: text,
          voice: opts.voice || DEFAULT_SPEECH_VOICE,
          speed: opts.speed,
          response_format: "mp3",
        },
        opts.signal ? { signal: opts.signal } : {},
      );
      const type = response.headers.get("content-type") ?? "";
      const audio = new Uint8Array(await response.arrayBuffer());
      return { audio, contentType: type.includes("wav") ? "audio/wav" : "audio/mpeg" };
    } catch (error) {
      throw toProviderError(error, opts.signal);
    }
  }

  /** A visitor's recording through `/v1/audio/transcriptions`; the text only (`response_format: json`). */
  async function transcribe(audio: Uint8Array, opts: TranscriptionOptions): Promise<string> {
    const type = opts.contentType.split(";")[0]!.trim();
    try {
      const file = await toFile(audio, `recording.${AUDIO_EXTENSIONS[type] ?? "webm"}`, { type });
      const result = await client.audio.transcriptions.create(
        {
          model: TRANSCRIPTION_MODEL,
          file,
          response_format: "json",
          ...(opts.language ? { language: opts.language } : {}),
        },
        opts.signal ? { signal: opts.signal } : {},
      );
      return result.text.trim();
    } catch (error) {
      throw toProviderError(error, opts.signal);
    }
  }

  return { kind: "openai", streamChat, embed, testConnection, speak, transcribe };
}

function finishReason(reason: ChatCompletionChunk.Choice["finish_reason"]): FinishReason {
  if (reason === "stop" || reason === "length" || reason === "content_filter") return reason;
  return "other";
}
