import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompiled } from "./precompiled";
import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "./testing";
import { readInTenant } from "./with-tenant";

describe("precompiled queries", () => {
  let db: TestDatabase;
  const tenants: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    tenants.push(...(await seedTenantsWithChatbots(db.kysely, ["pre-a", "pre-b"], 2)));
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
      [tenants[0]!, "pre-a bot 1"],
      [tenants[1]!, "pre-b bot 0"],
      [tenants[1]!, "pre-a bot 1"],
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
    expect(seen.map((r) => r.name).sort()).toEqual(["pre-a bot 0", "pre-a bot 1"]);
    expect(await readInTenant(db.kysely, b, (reader) => byTenantAndName(reader, a, "pre-a bot 0"))).toEqual(
      [],
    );
  });

  it("refuses a query whose arguments shape its SQL instead of being its parameters", async () => {
    const shaped = precompiled((q, column: string) =>
      q.selectFrom("chatbots").select(sql.ref(column).as("x")),
    );
    await expect(shaped(db.kysely, "name")).rejects.toThrow(/not a parameter/);
  });
});
