import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "./create-db";
import { createTestDatabase, type TestDatabase } from "./testing";

// PostgreSQL restarting under the platform ends the connections it holds, including ones checked out of
// the pool in the middle of a transaction: that must fail the transaction, never the process.
let database: TestDatabase;
let db: Db;
const events: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  db = await createDb({
    url: database.url,
    poolSize: 2,
    connection: { lost: () => events.push("lost"), restored: () => events.push("restored") },
  });
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

async function terminate(pid: number) {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query("select pg_terminate_backend($1)", [pid]);
  await admin.end();
}

it("fails a transaction whose connection the server ended, and the next one works", async () => {
  const transaction = db.kysely.transaction().execute(async (tx) => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
    await terminate(rows[0]!.pid);
    // The connection is checked out and idle in the transaction when the server's goodbye arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sql`select 1`.execute(tx);
  });
  await expect(transaction).rejects.toThrow();
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
  expect(rows).toEqual([{ one: 1 }]);
  expect(events).toContain("lost");
  expect(events.at(-1)).toBe("restored");
});
