import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db";
import { createTestDatabase, type TestDatabase } from "./testing";
import { readInTenant, withTenant } from "./with-tenant";

describe("prepared statements on the tenant pool", () => {
  let db: TestDatabase;
  let single: Awaited<ReturnType<typeof createDb>>;
  let tenantId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    single = await createDb({ url: db.url, poolSize: 1 });
    tenantId = (
      await db.kysely
        .insertInto("tenants")
        .values({ name: "t", slug: "prepared" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    await db.kysely
      .insertInto("chatbots")
      .values({ tenant_id: tenantId, name: "bot", public_key: "pk_prepared00", avatar: "{}", theme: "{}" })
      .execute();
  });
  afterAll(async () => {
    await single.close();
    await db.drop();
  });

  const listBots = () =>
    readInTenant(single.kysely, tenantId, (reader) =>
      reader.selectFrom("chatbots").selectAll().where("tenant_id", "=", tenantId).execute(),
    );

  it("prepares a repeated statement once per connection", async () => {
    for (let i = 0; i < 3; i++) expect(await listBots()).toHaveLength(1);
    const prepared = await readInTenant(single.kysely, tenantId, (reader) =>
      sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(reader),
    );
    const listing = prepared.rows.filter((r) => r.statement.includes('from "chatbots"'));
    expect(listing).toHaveLength(1);
  });

  it("reads again after a migration changed the statement's columns, and writes work on the next try", async () => {
    await listBots();
    await sql`alter table chatbots add column prepared_probe integer`.execute(db.kysely);
    const rows = await listBots();
    expect(rows[0]).toHaveProperty("prepared_probe", null);
    const write = () =>
      withTenant(single.kysely, tenantId, (tx) =>
        tx
          .updateTable("chatbots")
          .set({ name: "renamed" })
          .where("tenant_id", "=", tenantId)
          .returningAll()
          .execute(),
      );
    await write();
    await sql`alter table chatbots drop column prepared_probe`.execute(db.kysely);
    // The write's own stale plan fails once; the connection has forgotten its names for the next call.
    await write().catch((error: unknown) => expect(String(error)).toMatch(/cached plan/));
    expect((await write())[0]).not.toHaveProperty("prepared_probe");
  });
});
