import type { Tx } from "@avatar-chat/db";
import type { ChunkRow } from "./chunk-row";

// Rows per INSERT, fetched from indexing's thread between event-loop turns. Embedded PGlite runs each
// statement on this thread, and a chunk's row (its HNSW and GIN index entries) costs it 3-15 ms: 50 rows
// held the loop for 1-5 s. PostgreSQL pays a round trip per statement, small beside its index work.
const INSERT_BATCH = 32;

export interface StoreChunksInput {
  tenantId: string;
  chatbotId: string;
  sourceId: string;
  /** How many chunks the source has. */
  count: number;
  /** Chunks [from, to) as rows, in order; asked for one insert batch at a time. */
  rows(from: number, to: number): Promise<readonly ChunkRow[]> | readonly ChunkRow[];
}

/** Replaces a source's chunks (re-indexing is idempotent) and returns how many were stored. */
export async function replaceSourceChunks(tx: Tx, input: StoreChunksInput): Promise<number> {
  await tx
    .deleteFrom("knowledge_chunks")
    .where("tenant_id", "=", input.tenantId)
    .where("source_id", "=", input.sourceId)
    .execute();
  for (let start = 0; start < input.count; start += INSERT_BATCH) {
    const rows = await input.rows(start, Math.min(start + INSERT_BATCH, input.count));
    await tx
      .insertInto("knowledge_chunks")
      .values(
        rows.map((row) => ({
          tenant_id: input.tenantId,
          chatbot_id: input.chatbotId,
          source_id: input.sourceId,
          ordinal: row.ordinal,
          content: row.content,
          metadata: row.metadata,
          token_count: row.tokenCount,
          embedding: row.embedding,
        })),
      )
      .execute();
  }
  return input.count;
}
