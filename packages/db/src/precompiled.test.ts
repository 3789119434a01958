import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompiled } from "./precompiled";
import { createTestDatabase, type TestDatabase } from "./testing";
import { readInTenant } from "./with-tenant";

describe("precompiled queries", () => {
  let db: TestDatabase;
  const tenants: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const slug of ["pre-a", "pre-b"]) {
      const { id } = await db.kysely
        .insertInto("tenants")
        .values({ name: slug, slug })
        .returning("id")
        .executeTakeFirstOrThrow();
      tenants.push(id);
      await db.kysely
        .insertInto("chatbots")
        .values(
          [1, 2].map((n) => ({
            tenant_id: id,
            name: `${slug} ${n}`,
            public_key: `pk_${slug.replace("-", "")}${n}00000`,
            avatar: "{}",
            theme: "{}",
          })),
        )
        .execute();
    }
  });
  afterAll(() => db.drop());

  const byTenantAndName = precompiled((q, tenantId: string, name: string) =>
    q
      .selectFrom("chatbots")
      .select(["name", "tenant_id"])
      .where("tenant_id", "=", tenantId)
      .where("name", "=", name),
  );

  it("answers as the query built on each call, with each call's own arguments", async () => {
    for (const [tenantId, name] of [
      [tenants[0]!, "pre-a 2"],
      [tenants[1]!, "pre-b 1"],
      [tenants[1]!, "pre-a 2"],
    ] as const) {
      const built = await db.kysely
        .selectFrom("chatbots")
        .select(["name", "tenant_id"])
        .where("tenant_id", "=", tenantId)
        .where("name", "=", name)
        .execute();
      expect(await byTenantAndName(db.kysely, tenantId, name)).toEqual(built);
    }
  });

  it("runs on a tenant connection, under its row-level security", async () => {
    const [a, b] = tenants as [string, string];
    const all = precompiled((q, minimum: string) =>
      q.selectFrom("chatbots").select("name").where("name", ">=", minimum),
    );
    const seen = await readInTenant(db.kysely, a, (reader) => all(reader, ""));
    expect(seen.map((r) => r.name).sort()).toEqual(["pre-a 1", "pre-a 2"]);
    expect(await readInTenant(db.kysely, b, (reader) => byTenantAndName(reader, a, "pre-a 1"))).toEqual([]);
  });

  it("refuses a query whose arguments shape its SQL instead of being its parameters", async () => {
    const shaped = precompiled((q, column: string) =>
      q.selectFrom("chatbots").select(sql.ref(column).as("x")),
    );
    await expect(shaped(db.kysely, "name")).rejects.toThrow(/not a parameter/);
  });
});
