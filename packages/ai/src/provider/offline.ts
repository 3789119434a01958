import { hashEmbedding } from "../embedding/hash-embedding";
import { composeOfflineAnswer, tokenPieces } from "../offline/answer";
import { countTokens } from "../tokens";
import { ProviderError } from "./errors";
import type { ChatMessage, ChatStreamEvent, Provider, StreamChatOptions } from "./types";

/**
 * The default provider: no network, no key, no model download. Embeddings are hashed lexical features and
 * "chat" is extractive: it quotes the retrieved context that best matches the last user message.
 */
export function createOfflineProvider(): Provider {
  async function* streamChat(
    messages: readonly ChatMessage[],
    options: StreamChatOptions = {},
  ): AsyncGenerator<ChatStreamEvent> {
    const question = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const pieces = tokenPieces(composeOfflineAnswer(question, options.context));
    const limit = options.maxTokens ?? Number.POSITIVE_INFINITY;
    let sent = 0;
    for (const piece of pieces) {
      if (options.signal?.aborted) throw new ProviderError("cancelled", "request cancelled");
      if (sent >= limit) break;
      sent++;
      yield { type: "delta", text: piece };
      // Yield to the event loop between pieces so a consumer sees a real stream, not one burst.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    yield {
      type: "finish",
      reason: sent < pieces.length ? "length" : "stop",
      usage: {
        promptTokens: countTokens(messages.map((m) => m.content).join("\n")),
        completionTokens: sent,
      },
    };
  }

  async function embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    // Hashing is synchronous CPU work: let the event loop breathe every ~10 ms of a large document.
    let sliceStart = performance.now();
    for (const text of texts) {
      if (performance.now() - sliceStart >= 10) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      vectors.push(hashEmbedding(text));
    }
    return vectors;
  }

  return {
    kind: "offline",
    streamChat,
    embed,
    testConnection: async () => {},
  };
}
