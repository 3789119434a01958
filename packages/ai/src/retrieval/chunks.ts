import type { Tx } from "@avatar-chat/db";
import type { ChunkRow } from "./chunk-row";

// Rows per INSERT, fetched from indexing's thread between event-loop turns. Both databases do the index
// work off the event loop (PGlite on its own thread); a batch costs the loop two structured clones and a
// compiled statement of roughly 100 KB (256-dimension vectors as text, chunk texts), and fewer batches mean
// fewer round trips.
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
