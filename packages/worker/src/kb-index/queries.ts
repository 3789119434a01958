import { type PreparedDocument, replaceSourceChunks } from "@avatar-chat/ai";
import type { KnowledgeSource, KnowledgeStatus, Tx } from "@avatar-chat/db";

export async function findSource(tx: Tx, sourceId: string): Promise<KnowledgeSource | undefined> {
  return tx.selectFrom("knowledge_sources").selectAll().where("id", "=", sourceId).executeTakeFirst();
}

/**
 * Marks a source as being indexed. `updated_at` stays the request time the job id is made of, so the
 * redelivery sweep finds that job again if the process dies mid-indexing and Redis loses the job.
 */
export async function markIndexing(tx: Tx, sourceId: string): Promise<void> {
  await tx
    .updateTable("knowledge_sources")
    .set({ status: "indexing", error: null })
    .where("id", "=", sourceId)
    .execute();
}

export async function setSourceStatus(
  tx: Tx,
  args: { sourceId: string; status: KnowledgeStatus; error: string | null; at: Date },
): Promise<void> {
  await tx
    .updateTable("knowledge_sources")
    .set({ status: args.status, error: args.error, updated_at: args.at })
    .where("id", "=", args.sourceId)
    .execute();
}

/**
 * Replaces the source's chunks and marks it ready, in the caller's one transaction: readers see the old
 * chunks or the new ones, never a mix. Returns false when the source was deleted meanwhile.
 */
export async function replaceChunks(
  tx: Tx,
  args: {
    source: Pick<KnowledgeSource, "id" | "tenant_id" | "chatbot_id">;
    document: Pick<PreparedDocument, "chunkCount" | "rows">;
    sizeBytes: number;
    at: Date;
  },
): Promise<boolean> {
  // The row lock serialises two re-index runs of one source, so their delete-then-insert never interleave.
  const locked = await tx
    .selectFrom("knowledge_sources")
    .select("id")
    .where("id", "=", args.source.id)
    .forUpdate()
    .executeTakeFirst();
  if (!locked) return false;
  const count = await replaceSourceChunks(tx, {
    tenantId: args.source.tenant_id,
    chatbotId: args.source.chatbot_id,
    sourceId: args.source.id,
    count: args.document.chunkCount,
    rows: args.document.rows,
  });
  await tx
    .updateTable("knowledge_sources")
    .set({
      status: "ready",
      error: null,
      chunk_count: count,
      size_bytes: args.sizeBytes,
      indexed_at: args.at,
      updated_at: args.at,
    })
    .where("id", "=", args.source.id)
    .execute();
  return true;
}
