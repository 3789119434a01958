import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./create-db";
import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "./testing";
import { readInTenant, type TenantReader } from "./with-tenant";

// Tenant reads share pipelined connections: statements of many tenants travel on one connection.
describe("pipelined tenant reads", () => {
  let db: TestDatabase;
  let shared: Db; // one pipelined connection, so every read shares it
  const tenants: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    shared = await createDb({ url: db.url, readConnections: 1, readTimeoutMs: 300 });
    const names = Array.from({ length: 6 }, (_, t) => `t${t}`);
    tenants.push(...(await seedTenantsWithChatbots(db.kysely, names, 2)));
  });
  afterAll(async () => {
    await shared.close();
    await db.drop();
  });

  // No tenant filter: only row-level security keeps other tenants out.
  const names = (reader: TenantReader) =>
    reader
      .selectFrom("chatbots")
      .select("name")
      .orderBy("name")
      .execute()
      .then((rows) => rows.map((r) => r.name));

  it("keeps every statement in its own tenant while hundreds of reads for six tenants interleave", async () => {
    const reads = Array.from({ length: 300 }, async (_, i) => {
      const t = (i * 7) % tenants.length;
      const [first, second] = await readInTenant(shared.kysely, tenants[t]!, (reader) =>
        Promise.all([names(reader), names(reader).then(async (n) => [...n, ...(await names(reader))])]),
      );
      return { t, first, second };
    });
    for (const { t, first, second } of await Promise.all(reads)) {
      expect(first).toEqual([`t${t} bot 0`, `t${t} bot 1`]);
      expect(second).toEqual([...first, ...first]);
    }
  });

  it("refuses an answer when the switch to its tenant failed, and reads on afterwards", async () => {
    expect(await readInTenant(shared.kysely, tenants[0]!, names)).toHaveLength(2);
    // PostgreSQL refuses this tenant id (a NUL byte) in the switch; the statement behind it still runs,
    // under the connection's previous tenant, and its rows must not be handed out.
    await expect(readInTenant(shared.kysely, "bad\u0000tenant", names)).rejects.toThrow();
    expect(await readInTenant(shared.kysely, tenants[1]!, names)).toEqual(["t1 bot 0", "t1 bot 1"]);
  });

  it("replaces a connection the server dropped", async () => {
    expect(await readInTenant(shared.kysely, tenants[2]!, names)).toHaveLength(2);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    await admin.end();
    await expect
      .poll(() => readInTenant(shared.kysely, tenants[2]!, names).catch(() => []), { timeout: 5_000 })
      .toHaveLength(2);
  });

  it("fails only the statement that failed, not the ones sent around it", async () => {
    const broken = (reader: TenantReader) => sql`select no_such_column from chatbots`.execute(reader);
    const results = await Promise.allSettled([
      readInTenant(shared.kysely, tenants[0]!, names),
      readInTenant(shared.kysely, tenants[1]!, broken),
      readInTenant(shared.kysely, tenants[1]!, names),
      readInTenant(shared.kysely, tenants[2]!, broken),
      readInTenant(shared.kysely, tenants[2]!, names),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(results[1]).toMatchObject({ reason: { message: expect.stringContaining("no_such_column") } });
    expect(results[4]).toEqual({ status: "fulfilled", value: ["t2 bot 0", "t2 bot 1"] });
  });

  it("cancels a read that runs too long, and the reads behind it go on", async () => {
    const slow = readInTenant(shared.kysely, tenants[3]!, (reader) =>
      sql`select pg_sleep(5)`.execute(reader),
    );
    const behind = readInTenant(shared.kysely, tenants[4]!, names);
    await expect(slow).rejects.toThrow(/statement timeout/);
    expect(await behind).toEqual(["t4 bot 0", "t4 bot 1"]);
  });

  it("refuses transactions on the shared connections", async () => {
    await expect(
      readInTenant(shared.kysely, tenants[0]!, (reader) =>
        reader.transaction().execute((tx) => sql`select 1`.execute(tx)),
      ),
    ).rejects.toThrow(/withTenant/);
  });
});
