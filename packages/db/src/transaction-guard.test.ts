import { spawnSync } from "node:child_process";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./testing";
import { SecondConnectionError } from "./transaction-guard";
import { readInTenant, withTenant } from "./with-tenant";

describe.each(["postgres", "pglite"] as const)("the second-connection guard on %s", (backend) => {
  let db: TestDatabase;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase({ backend });
    ({ id: tenantId } = await db.kysely
      .insertInto("tenants")
      .values({ name: "a", slug: "guard-a" })
      .returning("id")
      .executeTakeFirstOrThrow());
  });
  afterAll(() => db.drop());

  // Each of these waited forever on PGlite before the guard (its one connection is the transaction's).
  it("refuses the owner handle inside a tenant transaction", async () => {
    await expect(
      withTenant(db.kysely, tenantId, () => db.kysely.selectFrom("users").select("id").execute()),
    ).rejects.toThrow(SecondConnectionError);
  });

  it("refuses a nested tenant transaction or tenant read", async () => {
    await expect(
      withTenant(db.kysely, tenantId, () => withTenant(db.kysely, tenantId, async () => 1)),
    ).rejects.toThrow(SecondConnectionError);
    await expect(
      withTenant(db.kysely, tenantId, () =>
        readInTenant(db.kysely, tenantId, (reader) => reader.selectFrom("chatbots").select("id").execute()),
      ),
    ).rejects.toThrow(SecondConnectionError);
  });

  it("allows the transaction itself, and any handle before and after it", async () => {
    const inside = await withTenant(db.kysely, tenantId, async (tx) => {
      const { rows } = await sql<{ n: number }>`select 1 as n`.execute(tx);
      return rows[0]?.n;
    });
    expect(inside).toBe(1);
    // Work the callback started that outlives the commit is no longer inside the transaction.
    let later: Promise<unknown> = Promise.resolve();
    await withTenant(db.kysely, tenantId, async () => {
      later = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
        db.kysely.selectFrom("tenants").select("id").execute(),
      );
    });
    await expect(later).resolves.toHaveLength(1);
    await expect(db.kysely.selectFrom("tenants").select("id").execute()).resolves.toHaveLength(1);
  });
});

it("no source file opens a transaction except through runTransaction", () => {
  const root = path.resolve(import.meta.dirname, "../../..");
  const grep = spawnSync(
    "git",
    ["grep", "-n", "-E", "\\.transaction\\(\\)", "--", "*.ts", "*.tsx", ":!*.test.ts"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const hits = grep.stdout
    .split("\n")
    .filter((line) => line && !line.startsWith("packages/db/src/transaction-guard"));
  expect(hits).toEqual([]);
});
