import { type TransactionSettings, type Tx, toVector } from "@avatar-chat/db";
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
  await applySettings(tx, hybridSearchSettings(input));
  return hybridSearchStatement(tx, input);
}

/** The transaction-local settings hybridSearch needs, for opening its transaction with them (`withTenant`). */
export function hybridSearchSettings(
  input: Pick<HybridSearchInput, "limit" | "candidates">,
): TransactionSettings {
  return vectorSettings(candidatesFor(input));
}

/**
 * hybridSearch in a transaction that already holds `hybridSearchSettings(input)`. Both candidate lists come
 * from one statement (UNION ALL): with the settings set by `withTenant`, a search is one round trip.
 */
export async function hybridSearchStatement(tx: Tx, input: HybridSearchInput): Promise<SearchHit[]> {
  const scoped = { ...input, limit: candidatesFor(input) };
  const terms = searchTerms(input.text);
  const vectorRows = vectorQuery(tx, scoped).select(sql.lit("vector").as("method"));
  const rows =
    terms === ""
      ? await vectorRows.execute()
      : await vectorRows
          .unionAll(textQuery(tx, { ...scoped, terms }).select(sql.lit("text").as("method")))
          .execute();
  const vector = toVectorHits(rows.filter((row) => row.method === "vector"));
  const text = toTextHits(rows.filter((row) => row.method === "text"));
  return reciprocalRankFusion({ vector, text }, (hit) => hit.chunkId)
    .slice(0, input.limit)
    .map(({ item, score, vectorRank, textRank }) => ({ ...item, score, vectorRank, textRank }));
}

const candidatesFor = (input: Pick<HybridSearchInput, "limit" | "candidates">) =>
  input.candidates ?? Math.max(20, input.limit * 4);

/** Nearest chunks by cosine distance through the HNSW index. */
export async function vectorSearch(
  tx: Tx,
  input: SearchScope & { embedding: readonly number[]; limit: number },
): Promise<SearchHit[]> {
  await applySettings(tx, vectorSettings(input.limit));
  return toVectorHits(await vectorQuery(tx, input).execute());
}

/** Chunks matching the question's words by PostgreSQL full-text search, ranked by cover density. */
export async function textSearch(
  tx: Tx,
  input: SearchScope & { text: string; limit: number },
): Promise<SearchHit[]> {
  const terms = searchTerms(input.text);
  if (terms === "") return [];
  return toTextHits(await textQuery(tx, { ...input, terms }).execute());
}

/**
 * Transaction-local: ef_search must cover the rows asked for, and iterative scans keep filling results when
 * the tenant/chatbot filter drops most of the index's nearest neighbours (pgvector ≥ 0.8).
 */
function vectorSettings(limit: number): TransactionSettings {
  return { "hnsw.ef_search": String(Math.max(EF_SEARCH, limit)), "hnsw.iterative_scan": "relaxed_order" };
}

async function applySettings(tx: Tx, settings: TransactionSettings): Promise<void> {
  const calls = Object.entries(settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  await sql`select ${sql.join(calls)}`.execute(tx);
}

// Both queries return the same columns (`score`: cosine distance, or ts_rank_cd as float8), so they can be
// run alone or as one UNION ALL.
function vectorQuery(tx: Tx, input: SearchScope & { embedding: readonly number[]; limit: number }) {
  const distance = sql<number>`embedding <=> ${toVector(input.embedding)}::vector`;
  return tx
    .selectFrom((eb) =>
      eb
        .selectFrom("knowledge_chunks")
        .select(["id", "source_id", "content", distance.as("score")])
        .where("tenant_id", "=", input.tenantId)
        .where("chatbot_id", "=", input.chatbotId)
        .orderBy(distance)
        .limit(input.limit)
        .as("hits"),
    )
    .innerJoin("knowledge_sources as s", "s.id", "hits.source_id")
    .where("s.tenant_id", "=", input.tenantId)
    .select(["hits.id", "hits.source_id", "hits.content", "hits.score", "s.title", "s.url"]);
}

function textQuery(tx: Tx, input: SearchScope & { terms: string; limit: number }) {
  const query = sql`websearch_to_tsquery('english', ${input.terms})`;
  const rank = sql<number>`ts_rank_cd(tsv, ${query})::float8`;
  return tx
    .selectFrom((eb) =>
      eb
        .selectFrom("knowledge_chunks")
        .select(["id", "source_id", "content", rank.as("score")])
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
    .select(["hits.id", "hits.source_id", "hits.content", "hits.score", "s.title", "s.url"]);
}

interface HitRow {
  id: string;
  source_id: string;
  content: string;
  score: number;
  title: string;
  url: string | null;
}

function toVectorHits(rows: HitRow[]): SearchHit[] {
  // relaxed_order may return neighbours slightly out of order; the join may too.
  rows.sort((a, b) => a.score - b.score);
  return rows.map((row, index) => ({
    ...toHit(row),
    score: 1 - row.score,
    vectorRank: index + 1,
    textRank: null,
  }));
}

function toTextHits(rows: HitRow[]): SearchHit[] {
  rows.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return rows.map((row, index) => ({
    ...toHit(row),
    score: row.score,
    vectorRank: null,
    textRank: index + 1,
  }));
}

function toHit(row: HitRow): Omit<SearchHit, "score" | "vectorRank" | "textRank"> {
  return {
    chunkId: row.id,
    sourceId: row.source_id,
    sourceTitle: row.title,
    sourceUrl: row.url,
    content: row.content,
  };
}

/**
 * A visitor's question as a websearch query matching ANY of its words ("a or b or c"): plain
 * websearch_to_tsquery ANDs every word, so a conversational question would rarely match a chunk.
 */
export function searchTerms(text: string): string {
  return [...new Set(words(text).map((w) => w.replace(/'/g, "")))].filter((w) => w !== "or").join(" or ");
}
