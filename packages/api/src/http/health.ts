import { type Database, pendingMigrations } from "@avatar-chat/db";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { OUTAGE_RETRY_AFTER_S } from "./outage-retry";

/** True when `check` succeeds within a second (a dependency that hangs is as unready as one that refuses). */
function answersWithin(check: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), 1_000);
  });
  return Promise.race([
    check.then(
      () => true,
      () => false,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz` and `/readyz` for every role (the api's server, and the worker's and realtime's own). Liveness
 * says the process runs (a dependency outage is no reason to restart it); readiness says whether it can
 * serve now: a load balancer sends requests elsewhere while PostgreSQL or Redis is away, or while the
 * database lacks a migration this code needs (a rolling upgrade started before its migration ran).
 */
export function healthRoutes(deps: { db: Kysely<Database>; redis: Pick<Redis, "ping"> }): Hono {
  const app = new Hono();
  // Migrations only move forward: once all are seen applied, later checks skip the query.
  let migrated = false;
  const migrationsApplied = async () => {
    migrated ||= (await pendingMigrations(deps.db)).length === 0;
    if (!migrated) throw new Error("migrations pending");
  };
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const [database, redis, migrations] = await Promise.all([
      answersWithin(deps.db.selectNoFrom((eb) => eb.lit(1).as("one")).execute()),
      answersWithin(deps.redis.ping()),
      answersWithin(migrationsApplied()),
    ]);
    const ok = database && redis && migrations;
    if (!ok) c.header("Retry-After", String(OUTAGE_RETRY_AFTER_S));
    return c.json({ ok, database, redis, migrations }, ok ? 200 : 503);
  });
  return app;
}
