import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SECURITY_HEADERS } from "@avatar-chat/api/process";
import { createTestPlatform, type TestPlatform } from "@avatar-chat/api/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPlatformEnv } from "./config";
import { type RunningPlatform, startPlatform } from "./start-platform";
import { serveDashboard } from "./static-files";

// Every HTTP answer of every process carries the api's security headers (nosniff, no referrer, frame and
// cross-origin policies), whoever answers it: tRPC, a plain route, the dashboard's files or the health
// server of a process without the api. Each route is asked and each header checked.
const missingHeaders = (response: Response) =>
  Object.entries(SECURITY_HEADERS)
    .filter(([name, value]) => response.headers.get(name) !== value)
    .map(([name]) => name);

async function expectSecured(requests: Array<[string, () => Promise<Response>]>) {
  const missing: Record<string, string[]> = {};
  for (const [route, request] of requests) {
    const gone = missingHeaders(await request());
    if (gone.length > 0) missing[route] = gone;
  }
  expect(missing).toEqual({});
}

describe("security headers on every route", () => {
  it("the api's routes: tRPC, files, voice, voice input, health and unknown paths", async () => {
    const platform: TestPlatform = await createTestPlatform();
    try {
      const ask = (method: string, route: string) => () =>
        fetch(`${platform.url}${route}`, { method, headers: { origin: platform.origin } });
      const config = encodeURIComponent(JSON.stringify({ publicKey: "pk_none" }));
      await expectSecured(
        (
          [
            ["GET", `/trpc/widget.config?input=${config}`],
            ["GET", "/trpc/auth.me"],
            ["POST", "/trpc/auth.signOut"],
            ["GET", "/widget/avatar-chat.js"],
            ["GET", "/avatars/00000000-0000-0000-0000-000000000000.glb"],
            ["GET", "/voice/00000000-0000-0000-0000-000000000000"],
            ["OPTIONS", "/voice-input/00000000-0000-0000-0000-000000000000"],
            ["POST", "/voice-input/00000000-0000-0000-0000-000000000000"],
            ["GET", "/healthz"],
            ["GET", "/readyz"],
            ["GET", "/no/such/route"],
          ] as const
        ).map(([method, route]) => [`${method} ${route}`, ask(method, route)]),
      );
    } finally {
      await platform.close();
    }
  });

  describe("the dashboard's files and client-side routes", () => {
    let dist: string;
    beforeAll(async () => {
      dist = await mkdtemp(path.join(os.tmpdir(), "dashboard-headers-"));
      await mkdir(path.join(dist, "assets"));
      await writeFile(path.join(dist, "index.html"), "<!doctype html><title>Dashboard</title>");
      await writeFile(path.join(dist, "assets/index-Ab12Cd34.js"), "export {};");
    });
    afterAll(() => rm(dist, { recursive: true, force: true }));

    it("carry them on their own, whatever is mounted ahead of them", async () => {
      const app = new Hono();
      serveDashboard(app, dist);
      await expectSecured(
        ["/", "/assets/index-Ab12Cd34.js", "/chatbots/some-id", "/assets/missing.js"].map((route) => [
          route,
          async () => app.request(route),
        ]),
      );
    });
  });

  describe("a process without the api role", () => {
    let database: TestDatabase;
    let platform: RunningPlatform;
    let dataDir: string;
    let healthUrl: string;
    const prefix = `sh${randomBytes(4).toString("hex")}:`;

    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = await mkdtemp(path.join(os.tmpdir(), "headers-"));
      platform = await startPlatform(
        readPlatformEnv({
          PLATFORM_ROLES: "realtime",
          DATABASE_URL: database.url,
          REDIS_URL: "redis://127.0.0.1:6379",
          REDIS_PREFIX: prefix,
          DATA_DIR: dataDir,
          REALTIME_PORT: "0",
          MIGRATE_ON_START: "false",
          LOG_LEVEL: "error",
        }),
      );
      const health = platform.banner.find((line) => line.startsWith("health: "));
      healthUrl = health!.match(/http:\/\/localhost:\d+/)![0];
    });
    afterAll(async () => {
      await platform?.close();
      await deleteKeysAt("redis://127.0.0.1:6379", prefix);
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    });

    it("answers its health checks, and anything else, with them", async () => {
      await expectSecured(
        ["/healthz", "/readyz", "/realtime", "/no/such/route"].map((route) => [
          route,
          () => fetch(`${healthUrl}${route}`),
        ]),
      );
    });
  });
});
