import { toVector } from "@avatar-chat/db/vector";
import type { TextChunk } from "../ingest/chunk-text";
import { EMBEDDING_DIMENSIONS } from "../provider/types";

/** A knowledge chunk as it is inserted: metadata as JSON, the embedding as pgvector text. */
export interface ChunkRow {
  ordinal: number;
  content: string;
  tokenCount: number;
  metadata: string;
  embedding: string;
}

/** Imports only the vector format: indexing's worker thread builds rows without loading the database layer. */
export function chunkRow(chunk: TextChunk, embedding: readonly number[] | Float32Array): ChunkRow {
  if (embedding.length !== EMBEDDING_DIMENSIONS) {
    throw new Error(
      `embedding ${chunk.ordinal} has ${embedding.length} dimensions, expected ${EMBEDDING_DIMENSIONS}`,
    );
  }
  return {
    ordinal: chunk.ordinal,
    content: chunk.content,
    tokenCount: chunk.tokenCount,
    metadata: JSON.stringify(chunk.metadata),
    embedding: toVector(embedding),
  };
}
