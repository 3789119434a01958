import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Pooler, pgBouncer } from "./test-servers";
import { createTestDatabase, seedTenantsWithChatbots, TEST_DATABASE_URL, type TestDatabase } from "./testing";
import { readInTenant, withTenant } from "./with-tenant";

// Managed PostgreSQL is usually reached through PgBouncer in transaction mode: a server connection serves
// another client after every transaction, so a tenant setting that outlived one would reach another client.
describe("through PgBouncer in transaction mode", () => {
  let bouncer: Pooler;
  let db: TestDatabase;
  let tenants: string[];

  beforeAll(async () => {
    bouncer = await pgBouncer(TEST_DATABASE_URL, "transaction");
    db = await createTestDatabase({ connectThrough: bouncer.urlFor, poolMode: "transaction" });
    tenants = await seedTenantsWithChatbots(db.kysely, ["a", "b", "c", "d"], 2);
  });
  afterAll(async () => {
    await db?.drop();
    await bouncer?.stop();
  });

  it("shows every tenant only its own rows while hundreds of transactions and reads share 3 server connections", async () => {
    const seen = await Promise.all(
      Array.from({ length: 400 }, (_, i) => {
        const tenantId = tenants[i % tenants.length] as string;
        const names = (reader: Parameters<Parameters<typeof readInTenant>[2]>[0]) =>
          reader.selectFrom("chatbots").select("name").orderBy("name").execute();
        const read =
          i % 2 === 0 ? readInTenant(db.kysely, tenantId, names) : withTenant(db.kysely, tenantId, names);
        return read.then((rows) => ({ tenant: i % tenants.length, rows: rows.map((r) => r.name) }));
      }),
    );
    for (const { tenant, rows } of seen) {
      const name = ["a", "b", "c", "d"][tenant];
      expect(rows).toEqual([`${name} bot 0`, `${name} bot 1`]);
    }
  });

  it("leaves no tenant setting on a server connection after a transaction or a read", async () => {
    await Promise.all(
      tenants.flatMap((tenantId) => [
        withTenant(db.kysely, tenantId, (tx) => tx.selectFrom("chatbots").select("id").execute()),
        readInTenant(db.kysely, tenantId, (reader) => reader.selectFrom("chatbots").select("id").execute()),
      ]),
    );
    // Work above tenants lands on the same few server connections: none carries a tenant or the tenant role.
    const settings = await Promise.all(
      Array.from({ length: 30 }, () =>
        sql<{
          tenant: string | null;
          role: string;
        }>`select nullif(current_setting('app.tenant_id', true), '') as tenant, current_user as role`
          .execute(db.kysely)
          .then(({ rows }) => rows[0]),
      ),
    );
    for (const row of settings) expect(row).toEqual({ tenant: null, role: "postgres" });
  });

  it("keeps row-level security: a query without a tenant filter still sees one tenant", async () => {
    const rows = await withTenant(db.kysely, tenants[0] as string, (tx) =>
      tx.selectFrom("tenants").select("name").execute(),
    );
    expect(rows).toEqual([{ name: "a" }]);
  });
});
