import { type Tx, toVector } from "@avatar-chat/db";
import { sql } from "kysely";
import { words } from "../embedding/words";
import { reciprocalRankFusion } from "./fusion";

// The only file with raw SQL for retrieval: pgvector's distance operator, its settings and full-text search.

/**
 * HNSW candidate list size (pgvector's default is 40). bench/suites/vector.ts on 100k clustered 256-dim chunks:
 * at 64, recall@10 varied 0.95–0.998 between index builds (parallel builds differ); 100 keeps a margin above 0.95.
 */
export const EF_SEARCH = 100;

export interface SearchScope {
  tenantId: string;
  chatbotId: string;
}

export interface SearchHit {
  chunkId: string;
  sourceId: string;
  sourceTitle: string;
  sourceUrl: string | null;
  content: string;
  /** Hybrid: the RRF score; vector: cosine similarity; text: ts_rank_cd. Higher is better. */
  score: number;
  vectorRank: number | null;
  textRank: number | null;
}

export interface HybridSearchInput extends SearchScope {
  embedding: readonly number[];
  text: string;
  /** Results returned. */
  limit: number;
  /** Rows each method contributes to the fusion; default 4 × limit, at least 20. */
  candidates?: number;
}

/** Vector and full-text search fused by reciprocal rank fusion, always within one tenant's chatbot. */
export async function hybridSearch(tx: Tx, input: HybridSearchInput): Promise<SearchHit[]> {
  const candidates = input.candidates ?? Math.max(20, input.limit * 4);
  const vector = await vectorSearch(tx, { ...input, limit: candidates });
  const text = await textSearch(tx, { ...input, limit: candidates });
  return reciprocalRankFusion({ vector, text }, (hit) => hit.chunkId)
    .slice(0, input.limit)
    .map(({ item, score, vectorRank, textRank }) => ({ ...item, score, vectorRank, textRank }));
}

/** Nearest chunks by cosine distance through the HNSW index. */
export async function vectorSearch(
  tx: Tx,
  input: SearchScope & { embedding: readonly number[]; limit: number },
): Promise<SearchHit[]> {
  // Transaction-local: ef_search must cover the rows asked for, and iterative scans keep filling results when
  // the tenant/chatbot filter drops most of the index's nearest neighbours (pgvector ≥ 0.8).
  await sql`select set_config('hnsw.ef_search', ${String(Math.max(EF_SEARCH, input.limit))}, true),
    set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(tx);
  const distance = sql<number>`embedding <=> ${toVector(input.embedding)}::vector`;
  const rows = await tx
    .selectFrom((eb) =>
      eb
        .selectFrom("knowledge_chunks")
        .select(["id", "source_id", "content", distance.as("distance")])
        .where("tenant_id", "=", input.tenantId)
        .where("chatbot_id", "=", input.chatbotId)
        .orderBy(distance)
        .limit(input.limit)
        .as("hits"),
    )
    .innerJoin("knowledge_sources as s", "s.id", "hits.source_id")
    .where("s.tenant_id", "=", input.tenantId)
    .select(["hits.id", "hits.source_id", "hits.content", "hits.distance", "s.title", "s.url"])
    .execute();
  // relaxed_order may return neighbours slightly out of order; the join may too.
  rows.sort((a, b) => a.distance - b.distance);
  return rows.map((row, index) => ({
    chunkId: row.id,
    sourceId: row.source_id,
    sourceTitle: row.title,
    sourceUrl: row.url,
    content: row.content,
    score: 1 - row.distance,
    vectorRank: index + 1,
    textRank: null,
  }));
}

/** Chunks matching the question's words by PostgreSQL full-text search, ranked by cover density. */
export async function textSearch(
  tx: Tx,
  input: SearchScope & { text: string; limit: number },
): Promise<SearchHit[]> {
  const terms = searchTerms(input.text);
  if (terms === "") return [];
  const query = sql`websearch_to_tsquery('english', ${terms})`;
  const rank = sql<number>`ts_rank_cd(tsv, ${query})`;
  const rows = await tx
    .selectFrom((eb) =>
      eb
        .selectFrom("knowledge_chunks")
        .select(["id", "source_id", "content", rank.as("rank")])
        .where("tenant_id", "=", input.tenantId)
        .where("chatbot_id", "=", input.chatbotId)
        .where(sql<boolean>`tsv @@ ${query}`)
        .orderBy(rank, "desc")
        .orderBy("id")
        .limit(input.limit)
        .as("hits"),
    )
    .innerJoin("knowledge_sources as s", "s.id", "hits.source_id")
    .where("s.tenant_id", "=", input.tenantId)
    .select(["hits.id", "hits.source_id", "hits.content", "hits.rank", "s.title", "s.url"])
    .execute();
  rows.sort((a, b) => b.rank - a.rank || a.id.localeCompare(b.id));
  return rows.map((row, index) => ({
    chunkId: row.id,
    sourceId: row.source_id,
    sourceTitle: row.title,
    sourceUrl: row.url,
    content: row.content,
    score: row.rank,
    vectorRank: null,
    textRank: index + 1,
  }));
}

/**
 * A visitor's question as a websearch query matching ANY of its words ("a or b or c"): plain
 * websearch_to_tsquery ANDs every word, so a conversational question would rarely match a chunk.
 */
export function searchTerms(text: string): string {
  return [...new Set(words(text).map((w) => w.replace(/'/g, "")))].filter((w) => w !== "or").join(" or ");
}
