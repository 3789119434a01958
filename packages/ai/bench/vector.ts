import os from "node:os";
import type { Database } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { type Kysely, sql } from "kysely";
import { type Figures, figure, percentile, type Suite } from "../../../bench/figures";
import { EMBEDDING_DIMENSIONS } from "../src/provider/types";
import { EF_SEARCH } from "../src/retrieval/hybrid-search";
import { seededRandom, syntheticClusters } from "./synthetic";

const ROWS = 100_000;
const CLUSTERS = 200;
const QUERIES = 200;
// Exact scans cost ~150 ms each; a subset gives the baseline and recall without dominating the run time.
const EXACT_QUERIES = 100;
const K = 10;
const INSERT_BATCH = 2_000;
// Same build parameters as the knowledge_chunks index in packages/db's migration.
const HNSW_WITH = "m = 16, ef_construction = 64";
// Half the rows belong to one big chatbot, the rest to 500 small ones: the filtered search a big tenant runs.
const BIG_CHATBOT = 0;
const chatbotOf = (row: number) => (row % 2 === 0 ? BIG_CHATBOT : 1 + (((row - 1) / 2) % 500));

interface Measured {
  p50: number;
  p99: number;
  exactP50: number;
  exactP99: number;
  recall: number;
}

/**
 * HNSW vs exact cosine search over 100k clustered 256-dim vectors in a dedicated database, measured in one run:
 * latency percentiles of both, and recall@10 of the index against the exact answer; unfiltered, and filtered to
 * one chatbot holding half the rows (pgvector's iterative scan, as hybridSearch runs it).
 */
const suite: Suite = {
  name: "vector",
  measures: ["packages/ai", "packages/db"],
  async run(): Promise<Figures> {
    const db = await createTestDatabase({ migrate: false });
    try {
      const k = db.kysely;
      await sql`create extension if not exists vector`.execute(k);
      // Unlogged: a throwaway table needs no WAL (insert rate doubled here); searches behave the same.
      await sql
        .raw(
          `create unlogged table bench_chunks (id integer primary key, chatbot_id integer not null,
            embedding vector(${EMBEDDING_DIMENSIONS}) not null)`,
        )
        .execute(k);

      const random = seededRandom(42);
      const data = syntheticClusters(random, {
        rows: ROWS,
        clusters: CLUSTERS,
        dimensions: EMBEDDING_DIMENSIONS,
      });
      const insertStarted = performance.now();
      for (let start = 0; start < ROWS; start += INSERT_BATCH) {
        const batch = data.vectors.slice(start, start + INSERT_BATCH).map((v) => `[${v.join(",")}]`);
        const chatbots = batch.map((_, i) => chatbotOf(start + i));
        // Array parameters per batch: far fewer bind parameters and round trips than row-by-row inserts.
        await sql`insert into bench_chunks (id, chatbot_id, embedding)
          select ${start} + ord::int - 1, c, v::vector
          from unnest(${batch}::text[], ${chatbots}::int[]) with ordinality as t(v, c, ord)`.execute(k);
      }
      const insertSeconds = (performance.now() - insertStarted) / 1000;

      const buildStarted = performance.now();
      await k.connection().execute(async (conn) => {
        await sql`set maintenance_work_mem = '1GB'`.execute(conn);
        await sql`set max_parallel_maintenance_workers = 2`.execute(conn);
        await sql
          .raw(`create index on bench_chunks using hnsw (embedding vector_cosine_ops) with (${HNSW_WITH})`)
          .execute(conn);
        await sql`create index on bench_chunks (chatbot_id)`.execute(conn);
        await sql`analyze bench_chunks`.execute(conn);
      });
      const buildSeconds = (performance.now() - buildStarted) / 1000;

      const queries = data.queries(QUERIES).map((v) => `[${v.join(",")}]`);
      const all = await measure(k, queries, null);
      const filtered = await measure(k, queries, BIG_CHATBOT);

      // Latency on a shared 2-core machine depends on what else runs; the load average says how busy it was.
      const load = os.loadavg()[0]!.toFixed(1);
      const setup = `load avg ${load}; ${ROWS} rows × ${EMBEDDING_DIMENSIONS} dims, ${CLUSTERS} clusters, HNSW ${HNSW_WITH}, ef_search ${EF_SEARCH}, ${QUERIES} queries (${EXACT_QUERIES} also exact)`;
      const filter = "filtered to a chatbot holding 50% of rows, iterative scan";
      return {
        "vector.search_100k.p50_ms": figure(
          all.p50,
          "ms",
          `HNSW top-${K}; baseline exact p50. ${setup}`,
          all.exactP50,
        ),
        "vector.search_100k.p99_ms": figure(
          all.p99,
          "ms",
          `HNSW top-${K}; baseline exact p99. ${setup}`,
          all.exactP99,
        ),
        "vector.search_100k.recall_at_10": figure(
          all.recall,
          "ratio",
          `HNSW vs exact top-${K}, same queries. ${setup}`,
        ),
        "vector.search_100k_filtered.p99_ms": figure(
          filtered.p99,
          "ms",
          `HNSW top-${K} ${filter}; baseline exact p99. p50 ${filtered.p50.toFixed(2)} ms`,
          filtered.exactP99,
        ),
        "vector.search_100k_filtered.recall_at_10": figure(
          filtered.recall,
          "ratio",
          `HNSW vs exact top-${K}, ${filter}`,
        ),
        "vector.insert_100k.rows_per_s": figure(
          ROWS / insertSeconds,
          "rows/s",
          `batched unnest inserts of ${INSERT_BATCH} rows`,
        ),
        "vector.hnsw_build_100k.s": figure(
          buildSeconds,
          "s",
          "unlogged table, maintenance_work_mem 1GB, 2 parallel workers",
        ),
      };
    } finally {
      await db.drop();
    }
  },
};

async function measure(
  k: Kysely<Database>,
  queries: readonly string[],
  chatbot: number | null,
): Promise<Measured> {
  const indexed: number[] = [];
  const exact: number[] = [];
  let recallSum = 0;
  await k.connection().execute(async (conn) => {
    const search = async (vector: string, useIndex: boolean) => {
      await sql`begin`.execute(conn);
      await sql`select set_config('hnsw.ef_search', ${String(EF_SEARCH)}, true),
        set_config('hnsw.iterative_scan', 'relaxed_order', true),
        set_config('enable_indexscan', ${useIndex ? "on" : "off"}, true)`.execute(conn);
      const where = chatbot === null ? sql`true` : sql`chatbot_id = ${chatbot}`;
      const started = performance.now();
      const { rows } = await sql<{ id: number }>`select id from bench_chunks where ${where}
        order by embedding <=> ${vector}::vector limit ${K}`.execute(conn);
      const elapsed = performance.now() - started;
      await sql`commit`.execute(conn);
      return { ids: rows.map((r) => r.id), elapsed };
    };
    // Warm-up: load the index and the heap into shared buffers before timing.
    for (const vector of queries.slice(0, 20)) await search(vector, true);
    for (const [i, vector] of queries.entries()) {
      const approximate = await search(vector, true);
      indexed.push(approximate.elapsed);
      if (i >= EXACT_QUERIES) continue;
      const truth = await search(vector, false);
      exact.push(truth.elapsed);
      const truthIds = new Set(truth.ids);
      recallSum += approximate.ids.filter((id) => truthIds.has(id)).length / K;
    }
  });
  indexed.sort((a, b) => a - b);
  exact.sort((a, b) => a - b);
  return {
    p50: percentile(indexed, 50),
    p99: percentile(indexed, 99),
    exactP50: percentile(exact, 50),
    exactP99: percentile(exact, 99),
    recall: recallSum / EXACT_QUERIES,
  };
}

export default suite;
