import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./create-db";
import { migrate } from "./migrate";
import { type PostgresServer, privatePrimary, type ReplicaServer, streamingReplica } from "./test-servers";
import { seedTenantsWithChatbots } from "./testing";
import { readInTenant, withTenant } from "./with-tenant";

// A replica made from the primary with pg_basebackup, streaming as in production. Reads that tolerate lag
// go to it; writes and the reads behind them stay on the primary.
describe("a streaming read replica", () => {
  let primary: PostgresServer;
  let replica: ReplicaServer;
  let db: Db;
  let tenants: string[];

  const botNames = (tenantId: string, lagTolerant: boolean) =>
    readInTenant(
      db.kysely,
      tenantId,
      (reader) => reader.selectFrom("chatbots").select("name").orderBy("name").execute(),
      { lagTolerant },
    ).then((rows) => rows.map((row) => row.name));
  const addBot = (tenantId: string, name: string) =>
    withTenant(db.kysely, tenantId, (tx) =>
      tx
        .insertInto("chatbots")
        .values({ tenant_id: tenantId, name, public_key: `pk_${name}`, avatar: "{}", theme: "{}" })
        .execute(),
    );

  beforeAll(async () => {
    primary = await privatePrimary();
    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    await admin.query("create database app");
    await admin.end();
    replica = await streamingReplica(primary);
    db = await createDb({ url: primary.urlFor("app"), replicaUrl: replica.urlFor("app"), poolSize: 5 });
    await migrate(db.kysely);
    tenants = await seedTenantsWithChatbots(db.kysely, ["a", "b"], 1);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await replica?.stop();
    await primary?.stop();
  });

  it("serves lag-tolerant reads from the replica, under row-level security", async () => {
    await expect.poll(() => botNames(tenants[0] as string, true), { timeout: 20_000 }).toEqual(["a bot 0"]);
    expect(await botNames(tenants[1] as string, true)).toEqual(["b bot 0"]);
    // It really is the replica: a standby answers true.
    const standby = await readInTenant(
      db.kysely,
      tenants[0] as string,
      async (reader) =>
        (await reader.selectNoFrom((eb) => eb.fn<boolean>("pg_is_in_recovery").as("r")).execute())[0]?.r,
      { lagTolerant: true },
    );
    expect(standby).toBe(true);
  });

  it("while the replica lags, lag-tolerant reads trail and every other read sees the write", async () => {
    const [a] = tenants as [string];
    await replica.pauseReplay();
    try {
      await addBot(a, "a bot 1");
      expect(await botNames(a, false)).toEqual(["a bot 0", "a bot 1"]);
      expect(await botNames(a, true)).toEqual(["a bot 0"]);
    } finally {
      await replica.resumeReplay();
    }
    await expect.poll(() => botNames(a, true), { timeout: 20_000 }).toEqual(["a bot 0", "a bot 1"]);
  });
});
