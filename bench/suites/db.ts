import { createDb, migrate, sql, withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { type Figures, figure, percentile, type Suite } from "../figures";

const ROWS = 10_000;
const BATCH = 1_000;
const SELECTS = 2_000;

async function insertAndSelect(kysely: Awaited<ReturnType<typeof createDb>>["kysely"]) {
  const tenants = [0, 1].map((i) => ({ name: `bench ${i}`, slug: `bench-${i}-${Date.now()}` }));
  const [a, b] = await kysely.insertInto("tenants").values(tenants).returning("id").execute();
  const bots = await kysely
    .insertInto("chatbots")
    .values(
      [a!, b!].map((t, i) => ({
        tenant_id: t.id,
        name: "bot",
        public_key: `pk_bench_${i}_${Date.now()}`,
        avatar: "{}",
        theme: "{}",
      })),
    )
    .returning(["id", "tenant_id"])
    .execute();

  // 10k conversations, half per tenant, inserted in tenant-scoped batches as the api would.
  const insertStarted = performance.now();
  for (let offset = 0; offset < ROWS; offset += BATCH) {
    const bot = bots[(offset / BATCH) % 2]!;
    await withTenant(kysely, bot.tenant_id, (tx) =>
      tx
        .insertInto("conversations")
        .values(
          Array.from({ length: BATCH }, (_, i) => ({
            tenant_id: bot.tenant_id,
            chatbot_id: bot.id,
            title: `c${offset + i}`,
          })),
        )
        .execute(),
    );
  }
  const insertMs = performance.now() - insertStarted;
  // Autovacuum would gather statistics on its own soon; without them the planner sorts instead of using the index.
  await sql`analyze conversations`.execute(kysely);

  // The inbox's first page: newest 50 conversations of one tenant, through row-level security.
  const latencies: number[] = [];
  for (let i = 0; i < SELECTS; i++) {
    const tenantId = bots[i % 2]!.tenant_id;
    const started = performance.now();
    await withTenant(kysely, tenantId, (tx) =>
      tx
        .selectFrom("conversations")
        .select(["id", "title", "last_message_at"])
        .where("tenant_id", "=", tenantId)
        .orderBy("last_message_at", "desc")
        .limit(50)
        .execute(),
    );
    latencies.push(performance.now() - started);
  }
  latencies.sort((x, y) => x - y);
  return { insertMs, p99: percentile(latencies, 99), p50: percentile(latencies, 50) };
}

const suite: Suite = {
  name: "db",
  measures: ["packages/db", "bench/suites/db.ts"],
  async run(): Promise<Figures> {
    const pg = await createTestDatabase({ migrate: false });
    const { rows } = await sql<{ server_version: string }>`show server_version`.execute(pg.kysely);
    const server = `PostgreSQL ${rows[0]!.server_version}`;
    const pgMigrateStarted = performance.now();
    await migrate(pg.kysely);
    const pgMigrateMs = performance.now() - pgMigrateStarted;
    const pgResult = await insertAndSelect(pg.kysely);
    await pg.drop();

    const lite = await createDb({ dataDir: "memory://" });
    const liteMigrateStarted = performance.now();
    await migrate(lite.kysely);
    const liteMigrateMs = performance.now() - liteMigrateStarted;
    const liteResult = await insertAndSelect(lite.kysely);
    await lite.close();

    return {
      "db.migrate.postgres_ms": figure(pgMigrateMs, "ms", `all migrations on an empty ${server} database`),
      "db.migrate.pglite_ms": figure(
        liteMigrateMs,
        "ms",
        "all migrations on in-memory PGlite (baseline: PostgreSQL)",
        pgMigrateMs,
      ),
      "db.insert_10k.ms": figure(
        pgResult.insertMs,
        "ms",
        `10k conversations in 10 tenant-scoped (RLS) transactions of 1k rows, ${server}`,
      ),
      "db.select_by_tenant.p99_ms": figure(
        pgResult.p99,
        "ms",
        `inbox page (50 newest of 5k) through withTenant + RLS, ${SELECTS} sequential queries, p50 ${pgResult.p50.toFixed(2)} ms, ${server}`,
      ),
      "db.pglite.insert_10k.ms": figure(
        liteResult.insertMs,
        "ms",
        "same inserts on PGlite (baseline: PostgreSQL)",
        pgResult.insertMs,
      ),
      "db.pglite.select_by_tenant.p99_ms": figure(
        liteResult.p99,
        "ms",
        "same query on PGlite (baseline: PostgreSQL)",
        pgResult.p99,
      ),
    };
  },
};

export default suite;
