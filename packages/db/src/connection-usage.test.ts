import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./create-db";

// The embedded database's pool gauge: its one connection, and the queries queued behind its holder.
describe("pool usage of the embedded database", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createDb({ dataDir: "memory://" });
  });
  afterAll(() => db.close());

  it("reports the one connection idle, then held with callers waiting behind it", async () => {
    expect(db.poolUsage()).toEqual([{ pool: "embedded", total: 1, idle: 1, waiting: 0 }]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const started = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const transaction = db.kysely.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      holding();
      await held;
    });
    await started;
    const queued = [sql`select 2`.execute(db.kysely), sql`select 3`.execute(db.kysely)];
    expect(db.poolUsage()).toEqual([{ pool: "embedded", total: 1, idle: 0, waiting: 2 }]);
    release();
    await Promise.all([transaction, ...queued]);
    expect(db.poolUsage()).toEqual([{ pool: "embedded", total: 1, idle: 1, waiting: 0 }]);
  });
});
