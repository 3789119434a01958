import { randomBytes } from "node:crypto";
import { type Database, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { extractText } from "../ingest/extract-text";
import { indexSourceText } from "../ingest/index-text";
import type { Provider } from "../provider/types";
import { type CorpusDocument, documents as corpusDocuments } from "./corpus";

export interface SeededCorpus {
  tenantId: string;
  chatbotId: string;
  /** Corpus document id → knowledge_sources id. */
  sourceIds: Map<string, string>;
  chunkCount: number;
}

/** A document as uploaded: its bytes and content type go through the real extraction. */
export interface UploadedDocument {
  id: string;
  title: string;
  bytes: Uint8Array;
  contentType: string;
}

/** Creates a tenant and chatbot and indexes the corpus (or given documents) into them through the real pipeline. */
export function seedCorpus(
  db: Kysely<Database>,
  provider: Provider,
  documents: readonly CorpusDocument[] = corpusDocuments,
): Promise<SeededCorpus> {
  return seedUploads(
    db,
    provider,
    documents.map((d) => ({
      id: d.id,
      title: d.title,
      bytes: new TextEncoder().encode(d.content),
      contentType: "text/markdown",
    })),
  );
}

/** Like seedCorpus, for documents of any supported type (Markdown, HTML, plain text, PDF). */
export async function seedUploads(
  db: Kysely<Database>,
  provider: Provider,
  documents: readonly UploadedDocument[],
): Promise<SeededCorpus> {
  const suffix = randomBytes(4).toString("hex");
  const tenant = await db
    .insertInto("tenants")
    .values({ name: `Brightleaf ${suffix}`, slug: `brightleaf-${suffix}` })
    .returning("id")
    .executeTakeFirstOrThrow();
  const tenantId = tenant.id;
  return withTenant(db, tenantId, async (tx) => {
    const chatbot = await tx
      .insertInto("chatbots")
      .values({
        tenant_id: tenantId,
        name: "Brightleaf helper",
        public_key: `pk_${randomBytes(12).toString("hex")}`,
        avatar: JSON.stringify({ kind: "default" }),
        theme: JSON.stringify({}),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const sourceIds = new Map<string, string>();
    let chunkCount = 0;
    for (const document of documents) {
      const source = await tx
        .insertInto("knowledge_sources")
        .values({
          tenant_id: tenantId,
          chatbot_id: chatbot.id,
          kind: "text",
          title: document.title,
          content_type: document.contentType,
          status: "indexing",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      sourceIds.set(document.id, source.id);
      const { text } = await extractText({ bytes: document.bytes, contentType: document.contentType });
      const count = await indexSourceText(tx, provider, {
        tenantId,
        chatbotId: chatbot.id,
        sourceId: source.id,
        text,
      });
      chunkCount += count;
      await tx
        .updateTable("knowledge_sources")
        .set({ status: "ready", chunk_count: count, indexed_at: new Date() })
        .where("id", "=", source.id)
        .execute();
    }
    return { tenantId, chatbotId: chatbot.id, sourceIds, chunkCount };
  });
}
