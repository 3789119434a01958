import {
  type CitableChunk,
  hybridSearchSettings,
  hybridSearchStatement,
  type Provider,
} from "@avatar-chat/ai";
import type { Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { readBeforeCommit } from "../tenant-read";

/** Passages handed to the model: enough to answer, few enough to keep the prompt (and first token) small. */
export const RETRIEVAL_LIMIT = 5;

export interface RetrievedChunk extends CitableChunk {
  /** The chunk shares words with the question (full-text match), not only a nearby embedding. */
  textMatch: boolean;
}

/** The question's embedding with the tenant's provider (null when the provider returns none). */
export async function embedQuestion(provider: Provider, question: string): Promise<number[] | null> {
  const [embedding] = await provider.embed([question]);
  return embedding ?? null;
}

/** The question's best passages within the tenant's chatbot, found with its embedding. */
export async function retrieveChunks(
  db: Kysely<Database>,
  args: { tenantId: string; chatbotId: string; question: string; embedding: number[] | null },
): Promise<RetrievedChunk[]> {
  const { embedding } = args;
  if (!embedding) return [];
  const search = {
    tenantId: args.tenantId,
    chatbotId: args.chatbotId,
    embedding,
    text: args.question,
    limit: RETRIEVAL_LIMIT,
  };
  // The search's settings go with the tenant's: BEGIN, one set_config, one search statement.
  const hits = await readBeforeCommit(
    db,
    args.tenantId,
    (tx) => hybridSearchStatement(tx, search),
    hybridSearchSettings(search),
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
