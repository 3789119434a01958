// One server under test, in its own process (forked by bench/suites/api.ts): a bare Hono JSON route,
// a bare Fastify JSON route, the floor of an authenticated list (below), or the real api over the
// suite's database and Redis prefix.
// Prints nothing; sends { type: "listening", port } over IPC.
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createDb } from "@avatar-chat/db";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { createLogger } from "@avatar-chat/telemetry";
import { Queue } from "bullmq";
import Fastify from "fastify";
import { Hono } from "hono";
import pg from "pg";
import { createApp } from "../src/app";
import { createCredentialCaches } from "../src/auth/credential-changes";
import { apiConfigFrom, apiEnv } from "../src/config";
import type { AppDeps } from "../src/deps";
import { serveHttp } from "../src/http/serve-http";
import { createWidgetCache } from "../src/modules/widget";
import { createApiRedis } from "../src/redis";
import { createStorage } from "../src/storage";

export type ServerKind = "hono" | "fastify" | "floor" | "api";
export interface ServerOptions {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  appSecret: string;
}

const payload = { ok: true, name: "bench", greeting: "Hello! How can I help?" };

async function start(kind: ServerKind, options: ServerOptions): Promise<number> {
  if (kind === "fastify") {
    const app = Fastify({ logger: false });
    app.get("/json", async () => payload);
    await app.listen({ port: 0, host: "127.0.0.1" });
    return (app.server.address() as AddressInfo).port;
  }
  let fetch: (request: Request) => Response | Promise<Response>;
  if (kind === "floor") {
    fetch = listFloor(options).fetch;
  } else if (kind === "hono") {
    const app = new Hono();
    app.get("/json", (c) => c.json(payload));
    fetch = app.fetch;
  } else {
    const db = await createDb({ url: options.databaseUrl, poolSize: 20 });
    const connection = { url: options.redisUrl };
    const clock = () => new Date();
    const deps: AppDeps = {
      db: db.kysely,
      redis: createApiRedis(options.redisUrl),
      queues: {
        aiReply: new Queue(QUEUES.aiReply, { connection, prefix: options.prefix }),
        kbIndex: new Queue(QUEUES.kbIndex, { connection, prefix: options.prefix }),
        email: new Queue(QUEUES.email, { connection, prefix: options.prefix }),
      },
      // Neither measured route touches storage.
      storage: createStorage({
        endpoint: "http://127.0.0.1:9",
        region: "us-east-1",
        bucket: "bench",
        accessKeyId: "x",
        secretAccessKey: "x",
        forcePathStyle: true,
      }),
      // Built the way the production entry builds it, so new settings with defaults need no change here.
      config: apiConfigFrom(
        apiEnv.parse({
          PUBLIC_URL: "http://127.0.0.1",
          DASHBOARD_ORIGINS: "http://dashboard.bench",
          APP_SECRET: options.appSecret,
        }),
        options.prefix,
      ),
      clock,
      logger: createLogger({ level: "error", service: "bench-api" }),
      credentials: createCredentialCaches(),
      widgetCache: createWidgetCache(clock),
    };
    fetch = createApp(deps).fetch;
  }
  const server = await serveHttp({ fetch, port: 0, hostname: "127.0.0.1" });
  return (server.address() as AddressInfo).port;
}

/**
 * The least an API-key list can cost in this design: a bare Hono route that checks the bearer key the
 * way the api does (SHA-256, a per-process cache of 5 s, the key row by its hash on a miss) and runs the
 * same indexed SELECT with pg, as the owning role: no tRPC, no middleware, no rate limit, no row-level
 * security. `chatbot.list` over the real api is compared with it in the same rounds.
 */
function listFloor(options: ServerOptions) {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 20 });
  const keys = new Map<string, { tenantId: string; until: number }>();
  const app = new Hono();
  app.get("/trpc/chatbot.list", async (c) => {
    const key = c.req.header("authorization")?.slice("Bearer ".length) ?? "";
    const hash = createHash("sha256").update(key).digest();
    const cacheKey = hash.toString("base64");
    let known = keys.get(cacheKey);
    if (!known || known.until < Date.now()) {
      const { rows } = await pool.query<{ tenant_id: string }>(
        "select tenant_id from api_keys where key_hash = $1 and revoked_at is null",
        [hash],
      );
      if (!rows[0]) return c.json({ error: "unauthorized" }, 401);
      known = { tenantId: rows[0].tenant_id, until: Date.now() + 5_000 };
      keys.set(cacheKey, known);
    }
    const { rows } = await pool.query({
      name: "floor-list",
      text: "select * from chatbots where tenant_id = $1 order by created_at desc, id",
      values: [known.tenantId],
    });
    return c.json({ result: { data: rows } });
  });
  return app;
}

const [kind, json] = process.argv.slice(2) as [ServerKind, string];
const port = await start(kind, JSON.parse(json) as ServerOptions);
process.send?.({ type: "listening", port });
// A clean exit on SIGTERM lets `--cpu-prof` write its profile when profiling a run by hand.
process.on("SIGTERM", () => process.exit(0));
