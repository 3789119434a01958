import { type CitableChunk, hybridSearch, type Provider } from "@avatar-chat/ai";
import { type Database, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";

/** Passages handed to the model: enough to answer, few enough to keep the prompt (and first token) small. */
export const RETRIEVAL_LIMIT = 5;

export interface RetrievedChunk extends CitableChunk {
  /** The chunk shares words with the question (full-text match), not only a nearby embedding. */
  textMatch: boolean;
}

/** The question's best passages within the tenant's chatbot (the question is embedded with the tenant's provider). */
export async function retrieveChunks(
  db: Kysely<Database>,
  provider: Provider,
  args: { tenantId: string; chatbotId: string; question: string },
): Promise<RetrievedChunk[]> {
  const [embedding] = await provider.embed([args.question]);
  if (!embedding) return [];
  const hits = await withTenant(db, args.tenantId, (tx) =>
    hybridSearch(tx, {
      tenantId: args.tenantId,
      chatbotId: args.chatbotId,
      embedding,
      text: args.question,
      limit: RETRIEVAL_LIMIT,
    }),
  );
  return hits.map((hit) => ({
    chunkId: hit.chunkId,
    sourceId: hit.sourceId,
    sourceTitle: hit.sourceTitle,
    sourceUrl: hit.sourceUrl,
    content: hit.content,
    textMatch: hit.textRank !== null,
  }));
}
