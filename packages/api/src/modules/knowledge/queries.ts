import type { KnowledgeKind, KnowledgeSource, Tx } from "@avatar-chat/db";
import { decodeKeysetCursor } from "../../paging";
import { beforeCursor, keysetPage, timestampMicros } from "../../paging-queries";
import { knowledgeStorageKey, type SourcesPage } from "./rules";

export function sourceView(row: KnowledgeSource) {
  return {
    id: row.id,
    chatbotId: row.chatbot_id,
    kind: row.kind,
    title: row.title,
    url: row.url,
    contentType: row.content_type,
    status: row.status,
    error: row.error,
    sizeBytes: Number(row.size_bytes),
    chunkCount: row.chunk_count,
    indexedAt: row.indexed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type SourceView = ReturnType<typeof sourceView>;

/** The plan's knowledge budget and what the tenant's sources use (optionally without one source). */
export async function knowledgeBudget(tx: Tx, tenantId: string, exceptSourceId?: string) {
  const tenant = await tx
    .selectFrom("tenants")
    .select("max_knowledge_bytes")
    .where("id", "=", tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let used = tx
    .selectFrom("knowledge_sources")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("size_bytes"), eb.lit(0)).as("used"))
    .where("tenant_id", "=", tenantId);
  if (exceptSourceId) used = used.where("id", "!=", exceptSourceId);
  const row = await used.executeTakeFirstOrThrow();
  return { maxKnowledgeBytes: Number(tenant.max_knowledge_bytes), usedBytes: Number(row.used) };
}

export function insertSource(
  tx: Tx,
  values: {
    tenantId: string;
    chatbotId: string;
    kind: KnowledgeKind;
    title: string;
    url?: string;
    contentType?: string;
    sizeBytes?: number;
    stored: boolean;
  },
) {
  const id = crypto.randomUUID();
  return tx
    .insertInto("knowledge_sources")
    .values({
      id,
      tenant_id: values.tenantId,
      chatbot_id: values.chatbotId,
      kind: values.kind,
      title: values.title,
      url: values.url ?? null,
      content_type: values.contentType ?? null,
      size_bytes: values.sizeBytes ?? 0,
      storage_key: values.stored ? knowledgeStorageKey(values.tenantId, id) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findSource(tx: Tx, tenantId: string, sourceId: string) {
  return tx
    .selectFrom("knowledge_sources")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", sourceId)
    .executeTakeFirst();
}

/**
 * One page of a chatbot's sources (one more row, to tell whether another page follows), newest first, in
 * the order of the (tenant, chatbot, created_at desc, id desc) index (migration 0010): a page costs the
 * same at ten sources or a million. A query, so the plan test can read its EXPLAIN.
 */
export function sourcesPageQuery(tx: Tx, tenantId: string, page: SourcesPage) {
  let query = tx
    .selectFrom("knowledge_sources")
    .selectAll()
    .select(timestampMicros("created_at").as("created_at_micros"))
    .where("tenant_id", "=", tenantId)
    .where("chatbot_id", "=", page.chatbotId);
  const cursor = page.cursor ? decodeKeysetCursor(page.cursor) : null;
  if (cursor) query = query.where(beforeCursor("created_at", "id", cursor));
  return query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit + 1);
}

export async function listSources(tx: Tx, tenantId: string, page: SourcesPage) {
  const rows = await sourcesPageQuery(tx, tenantId, page).execute();
  return keysetPage(rows, page.limit, (row) => row.created_at_micros);
}

/** Back to `pending` for a new indexing run; the size is the stored object's real one when known. */
/** Pending again; a confirmed upload also records the object's size and ETag, the version indexing reads. */
export function markPending(
  tx: Tx,
  tenantId: string,
  sourceId: string,
  now: Date,
  confirmed?: { sizeBytes: number; etag: string | null },
) {
  return tx
    .updateTable("knowledge_sources")
    .set({
      status: "pending",
      error: null,
      updated_at: now,
      ...(confirmed === undefined ? {} : { size_bytes: confirmed.sizeBytes, checksum: confirmed.etag }),
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", sourceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deleteSource(tx: Tx, tenantId: string, sourceId: string) {
  return tx
    .deleteFrom("knowledge_sources")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", sourceId)
    .returning(["storage_key"])
    .executeTakeFirst();
}

/** Failed with a message the dashboard shows; the row stays so the user sees why. */
export function markFailed(tx: Tx, tenantId: string, sourceId: string, message: string, now: Date) {
  return tx
    .updateTable("knowledge_sources")
    .set({ status: "failed", error: message, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", sourceId)
    .execute();
}
