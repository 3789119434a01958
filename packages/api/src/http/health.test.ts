import { migrate } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { afterAll, expect, it } from "vitest";
import { healthRoutes } from "./health";

const database = await createTestDatabase({ backend: "pglite", migrate: false });
afterAll(() => database.drop());
const redis = { ping: async () => "PONG" as const };

it("/readyz says not ready until every migration is applied, then ready", async () => {
  const app = healthRoutes({ db: database.kysely, redis });
  const before = await app.request("/readyz");
  expect(before.status).toBe(503);
  expect(await before.json()).toMatchObject({ ok: false, database: true, redis: true, migrations: false });
  await migrate(database.kysely);
  const after = await app.request("/readyz");
  expect(after.status).toBe(200);
  expect(await after.json()).toEqual({ ok: true, database: true, redis: true, migrations: true });
  expect((await app.request("/healthz")).status).toBe(200);
});
