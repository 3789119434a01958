import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConversation } from "../test/fixtures";
import { readBeforeCommit } from "./tenant-read";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

describe("readBeforeCommit", () => {
  it("reads as the tenant, with the extra settings, and passes errors on", async () => {
    const { tenantId } = await seedConversation(db.kysely);
    const row = await readBeforeCommit(
      db.kysely,
      tenantId,
      async (tx) => {
        const result = await sql<{
          tenant: string;
          probe: string;
        }>`select current_setting('app.tenant_id') as tenant,
          current_setting('app.probe') as probe`.execute(tx);
        return result.rows[0];
      },
      { "app.probe": "on" },
    );
    expect(row).toEqual({ tenant: tenantId, probe: "on" });
    await expect(
      readBeforeCommit(db.kysely, tenantId, (tx) => tx.selectFrom("sessions").select("id").execute()),
    ).rejects.toThrow(/permission denied/);
  });
});
