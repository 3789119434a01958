import { type Tx, toVector } from "@avatar-chat/db";
import type { TextChunk } from "../ingest/chunk-text";
import { EMBEDDING_DIMENSIONS } from "../provider/types";

// Rows per INSERT, built and sent between event-loop turns: writing 200 vectors as text and compiling
// their statement held the loop for 100-200 ms on a busy machine; 50 keep each turn short.
const INSERT_BATCH = 50;

export interface StoreChunksInput {
  tenantId: string;
  chatbotId: string;
  sourceId: string;
  chunks: readonly TextChunk[];
  /** One EMBEDDING_DIMENSIONS vector per chunk, same order (single precision is what pgvector keeps). */
  embeddings: readonly (readonly number[] | Float32Array)[];
}

/** Replaces a source's chunks (re-indexing is idempotent) and returns how many were stored. */
export async function replaceSourceChunks(tx: Tx, input: StoreChunksInput): Promise<number> {
  if (input.embeddings.length !== input.chunks.length) {
    throw new Error(`${input.chunks.length} chunks but ${input.embeddings.length} embeddings`);
  }
  await tx
    .deleteFrom("knowledge_chunks")
    .where("tenant_id", "=", input.tenantId)
    .where("source_id", "=", input.sourceId)
    .execute();
  const row = (i: number) => {
    const chunk = input.chunks[i]!;
    const embedding = input.embeddings[i]!;
    if (embedding.length !== EMBEDDING_DIMENSIONS) {
      throw new Error(`embedding ${i} has ${embedding.length} dimensions, expected ${EMBEDDING_DIMENSIONS}`);
    }
    return {
      tenant_id: input.tenantId,
      chatbot_id: input.chatbotId,
      source_id: input.sourceId,
      ordinal: chunk.ordinal,
      content: chunk.content,
      metadata: JSON.stringify(chunk.metadata),
      token_count: chunk.tokenCount,
      embedding: toVector(embedding),
    };
  };
  for (let start = 0; start < input.chunks.length; start += INSERT_BATCH) {
    const end = Math.min(start + INSERT_BATCH, input.chunks.length);
    await tx
      .insertInto("knowledge_chunks")
      .values(Array.from({ length: end - start }, (_, k) => row(start + k)))
      .execute();
  }
  return input.chunks.length;
}
