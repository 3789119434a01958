import { createDb } from "@avatar-chat/db";
import { sql } from "kysely";
import pg from "../../db/node_modules/pg/lib/index.js";
import { seededRandom, syntheticClusters } from "../bench/synthetic.ts";

const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
await admin.connect();
const exists = (await admin.query("select 1 from pg_database where datname='ai_scratch_vec'")).rowCount;
if (!exists) await admin.query("create database ai_scratch_vec");
await admin.end();
const db = await createDb({ url: "postgres://postgres@127.0.0.1:5432/ai_scratch_vec", poolSize: 2 });
const k = db.kysely;
const random = seededRandom(42);
const data = syntheticClusters(random, { rows: 100000, clusters: 200, dimensions: 256 });
if (!exists) {
  await sql`create extension if not exists vector`.execute(k);
  await sql`create table bench_chunks (id integer primary key, embedding vector(256) not null)`.execute(k);
  for (let s = 0; s < 100000; s += 2000) {
    const batch = data.vectors.slice(s, s + 2000).map((v) => `[${v.join(",")}]`);
    await sql`insert into bench_chunks select ${s} + ord::int - 1, v::vector from unnest(${batch}::text[]) with ordinality t(v, ord)`.execute(
      k,
    );
  }
  await k.connection().execute(async (c) => {
    await sql`set maintenance_work_mem='1GB'`.execute(c);
    await sql`create index bench_hnsw on bench_chunks using hnsw (embedding vector_cosine_ops) with (m=16, ef_construction=64)`.execute(
      c,
    );
    await sql`analyze bench_chunks`.execute(c);
  });
}
const sizes = await sql<{
  t: string;
  i: string;
}>`select pg_size_pretty(pg_relation_size('bench_chunks')) t, pg_size_pretty(pg_relation_size('bench_hnsw')) i`.execute(
  k,
);
console.log(sizes.rows);
const queries = data.queries(300).map((v) => `[${v.join(",")}]`);
const truth: Set<number>[] = [];
await k.connection().execute(async (c) => {
  for (const q of queries) {
    await sql`begin`.execute(c);
    await sql`set local enable_indexscan = off`.execute(c);
    const { rows } = await sql<{
      id: number;
    }>`select id from bench_chunks order by embedding <=> ${q}::vector limit 10`.execute(c);
    await sql`commit`.execute(c);
    truth.push(new Set(rows.map((r) => r.id)));
  }
  for (const ef of (process.argv[2] ?? "40,64,100").split(",")) {
    const times: number[] = [];
    let rec = 0;
    for (const [i, q] of queries.entries()) {
      await sql`begin`.execute(c);
      await sql`select set_config('hnsw.ef_search', ${ef}, true)`.execute(c);
      const t = performance.now();
      const { rows } = await sql<{
        id: number;
      }>`select id from bench_chunks order by embedding <=> ${q}::vector limit 10`.execute(c);
      times.push(performance.now() - t);
      await sql`commit`.execute(c);
      rec += rows.filter((r) => truth[i]!.has(r.id)).length / 10;
    }
    times.sort((a, b) => a - b);
    console.log(
      `ef=${ef} recall=${(rec / 300).toFixed(3)} p50=${times[150]!.toFixed(2)} p90=${times[270]!.toFixed(2)} p99=${times[297]!.toFixed(2)} max=${times[299]!.toFixed(2)}`,
    );
  }
});
await db.close();
