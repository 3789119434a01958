import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "./create-db";
import { TENANT_ROLE } from "./tenant-role";
import { TENANT_TABLES } from "./tenant-tables";
import { createTestDatabase, type TestDatabase } from "./testing";
import { readInTenant, type Tx, withTenant } from "./with-tenant";

// Defence in depth: even a query that forgets its tenant filter sees only its own tenant's rows.
describe("row-level security", () => {
  let db: TestDatabase;
  const tenants: Record<"a" | "b", string> = { a: "", b: "" };

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const key of ["a", "b"] as const) {
      const t = await db.kysely
        .insertInto("tenants")
        .values({ name: key, slug: `tenant-${key}` })
        .returning("id")
        .executeTakeFirstOrThrow();
      tenants[key] = t.id;
      await db.kysely
        .insertInto("chatbots")
        .values({ tenant_id: t.id, name: `bot ${key}`, public_key: `pk_${key}`, avatar: "{}", theme: "{}" })
        .execute();
    }
  });
  afterAll(() => db.drop());

  it("shows a tenant only its own rows, without any where clause", async () => {
    const names = await withTenant(db.kysely, tenants.a, (tx) =>
      tx.selectFrom("chatbots").select("name").execute(),
    );
    expect(names).toEqual([{ name: "bot a" }]);
    const visibleTenants = await withTenant(db.kysely, tenants.b, (tx) =>
      tx.selectFrom("tenants").select("name").execute(),
    );
    expect(visibleTenants).toEqual([{ name: "b" }]);
  });

  it("sets extra settings with the tenant's, for the transaction only", async () => {
    const read = (tx: Tx) =>
      sql<{ value: string | null }>`select current_setting('app.probe', true) as value`.execute(tx);
    const inside = await withTenant(db.kysely, tenants.a, read, { "app.probe": "42" });
    expect(inside.rows).toEqual([{ value: "42" }]);
    const after = await withTenant(db.kysely, tenants.a, read);
    expect(after.rows[0]?.value ?? "").toBe("");
  });

  it("shows nothing when the tenant setting is missing", async () => {
    const rows = await db.kysely.transaction().execute(async (tx) => {
      await sql`set local role ${sql.raw(TENANT_ROLE)}`.execute(tx);
      return tx.selectFrom("chatbots").select("id").execute();
    });
    expect(rows).toEqual([]);
  });

  it("refuses to write a row into another tenant", async () => {
    await expect(
      withTenant(db.kysely, tenants.a, (tx) =>
        tx
          .insertInto("chatbots")
          .values({ tenant_id: tenants.b, name: "intruder", public_key: "pk_x", avatar: "{}", theme: "{}" })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("cannot update or delete another tenant's rows", async () => {
    const updated = await withTenant(db.kysely, tenants.a, (tx) =>
      tx
        .updateTable("chatbots")
        .set({ name: "hijacked" })
        .where("tenant_id", "=", tenants.b)
        .executeTakeFirst(),
    );
    expect(Number(updated.numUpdatedRows)).toBe(0);
    const deleted = await withTenant(db.kysely, tenants.a, (tx) =>
      tx.deleteFrom("chatbots").where("tenant_id", "=", tenants.b).executeTakeFirst(),
    );
    expect(Number(deleted.numDeletedRows)).toBe(0);
  });

  it("cannot read sessions or password hashes", async () => {
    await expect(
      withTenant(db.kysely, tenants.a, (tx) => tx.selectFrom("sessions").select("id").execute()),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(db.kysely, tenants.a, (tx) => tx.selectFrom("users").select("password_hash").execute()),
    ).rejects.toThrow(/permission denied/);
  });

  it("has a policy on every table with a tenant_id column", async () => {
    const withTenantColumn = await sql<{ table_name: string }>`
      select c.table_name from information_schema.columns c
      join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
      order by c.table_name`.execute(db.kysely);
    const policed = await sql<{ tablename: string }>`
      select tablename from pg_policies where schemaname = 'public' order by tablename`.execute(db.kysely);
    const names = withTenantColumn.rows.map((r) => r.table_name);
    expect([...names].sort()).toEqual([...TENANT_TABLES].sort());
    expect(policed.rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(names));
  });

  it("shows the tenant role, through the inbox views, the current tenant's rows and none without one", async () => {
    const views = await sql<{ table_name: string; view_definition: string }>`
      select table_name, view_definition from information_schema.views where table_schema = 'public'`.execute(
      db.kysely,
    );
    expect(views.rows.map((v) => v.table_name).sort()).toEqual([
      "inbox_conversations",
      "inbox_message_texts",
    ]);
    for (const view of views.rows) expect(view.view_definition).toContain("app_current_tenant()");
    await sql`insert into conversations (tenant_id, chatbot_id) select tenant_id, id from chatbots`.execute(
      db.kysely,
    );
    const visible = (tenantId: string) =>
      withTenant(db.kysely, tenantId, async (tx) =>
        (await sql<{ tenant_id: string }>`select tenant_id from inbox_conversations`.execute(tx)).rows.map(
          (r) => r.tenant_id,
        ),
      );
    for (const tenantId of [tenants.a, tenants.b]) {
      const seen = await visible(tenantId);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([tenantId]));
    }
    const unscoped = await sql`select count(*)::int as n from inbox_conversations`.execute(db.kysely);
    expect(unscoped.rows).toEqual([{ n: 0 }]);
  });

  // The tenant pool keeps a connection's tenant between uses; these run on one connection so that every
  // switch happens on the same session.
  describe("on a tenant-pinned connection", () => {
    let single: Awaited<ReturnType<typeof createDb>>;
    beforeAll(async () => {
      single = await createDb({ url: db.url, poolSize: 1 });
    });
    afterAll(() => single.close());

    const namesOf = (tenantId: string) =>
      readInTenant(single.kysely, tenantId, (reader) =>
        reader.selectFrom("chatbots").select("name").execute(),
      );

    it("switches tenants between uses, reads and transactions alike", async () => {
      for (const key of ["a", "b", "a", "a", "b"] as const) {
        expect(await namesOf(tenants[key])).toEqual([{ name: `bot ${key}` }]);
        const inTx = await withTenant(single.kysely, tenants[key], (tx) =>
          tx.selectFrom("tenants").select("name").execute(),
        );
        expect(inTx).toEqual([{ name: key }]);
      }
    });

    it("never lets concurrent work for two tenants see each other's rows", async () => {
      const keys = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? "b" : "a") as "a" | "b");
      const seen = await Promise.all(keys.map((key) => namesOf(tenants[key])));
      for (const [i, names] of seen.entries()) expect(names).toEqual([{ name: `bot ${keys[i]}` }]);
    });

    it("keeps the tenant after a failed transaction and still refuses other tenants' rows", async () => {
      await expect(
        withTenant(single.kysely, tenants.a, async (tx) => {
          await tx.selectFrom("chatbots").select("id").execute();
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect(await namesOf(tenants.a)).toEqual([{ name: "bot a" }]);
      await expect(
        withTenant(single.kysely, tenants.a, (tx) => tx.selectFrom("sessions").select("id").execute()),
      ).rejects.toThrow(/permission denied/);
    });

    it("leaves the pool for work above tenants untouched", async () => {
      await namesOf(tenants.a);
      const all = await single.kysely.selectFrom("chatbots").select("name").orderBy("name").execute();
      expect(all.map((r) => r.name)).toEqual(expect.arrayContaining(["bot a", "bot b"]));
    });
  });
});
