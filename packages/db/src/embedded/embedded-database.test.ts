import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../create-db";
import { isUniqueViolation } from "../pg-errors";

// The embedded database runs on a thread of its own; what crosses to it and back must be what PGlite
// in the process gave: every column type, PostgreSQL's error fields, and the main thread free meanwhile.
describe("the embedded database on its thread", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createDb({ dataDir: "memory://" });
  });
  afterAll(() => db.close());

  it("leaves the event loop free while a long statement runs", async () => {
    let timerFired = false;
    const timer = setTimeout(() => {
      timerFired = true;
    }, 1);
    // Seconds of work in PostgreSQL: on the main thread no timer could fire before it ends.
    const statement = sql<{ n: number }>`select count(*)::int as n from generate_series(1, 3000000)`.execute(
      db.kysely,
    );
    const { rows } = await statement;
    const firedBeforeTheEnd = timerFired;
    clearTimeout(timer);
    expect(rows).toEqual([{ n: 3_000_000 }]);
    expect(firedBeforeTheEnd).toBe(true);
  });

  it("returns every column type as PGlite parses it", async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select 9007199254740991::int8 as big, '2026-12-06'::date as day,
        '2026-12-06T08:00:00Z'::timestamptz as at, '{"a":[1,"b"]}'::jsonb as doc,
        decode('0102ff', 'hex') as bytes, array['x','y'] as list, ${"été ✓"}::text as text,
        ${new Uint8Array([7, 8])}::bytea as param_bytes, null as nothing`.execute(db.kysely);
    expect(rows[0]).toEqual({
      big: 9007199254740991,
      day: "2026-12-06",
      at: new Date("2026-12-06T08:00:00Z"),
      doc: { a: [1, "b"] },
      bytes: new Uint8Array([1, 2, 255]),
      list: ["x", "y"],
      text: "été ✓",
      param_bytes: new Uint8Array([7, 8]),
      nothing: null,
    });
  });

  it("rejects with PostgreSQL's error fields, and the connection serves the next caller", async () => {
    const table = `t_${randomUUID().replaceAll("-", "")}`;
    await sql`create table ${sql.id(table)} (id int constraint ${sql.id(`${table}_pk`)} primary key)`.execute(
      db.kysely,
    );
    await sql`insert into ${sql.id(table)} values (1)`.execute(db.kysely);
    const failure = await sql`insert into ${sql.id(table)} values (1)`
      .execute(db.kysely)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: "23505", constraint: `${table}_pk` });
    expect(isUniqueViolation(failure, `${table}_pk`)).toBe(true);
    const inserted = await db.kysely.transaction().execute(async (tx) => {
      await sql`insert into ${sql.id(table)} values (2)`.execute(tx);
      return sql<{ n: number }>`select count(*)::int as n from ${sql.id(table)}`.execute(tx);
    });
    expect(inserted.rows).toEqual([{ n: 2 }]);
  });
});

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
