import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createDb, type Database, TENANT_TABLES } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "@avatar-chat/db/testing";
import { type RealtimeEvent, readEventsSince } from "@avatar-chat/protocol";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { silentLogger } from "@avatar-chat/telemetry";
import { createQueue } from "@avatar-chat/worker/producer";
import { createTRPCClient, httpLink } from "@trpc/client";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { createApp } from "./app";
import {
  createCredentialCaches,
  evictCachedCredentials,
  listenForCredentialChanges,
} from "./auth/credential-changes";
import { type ApiConfig, realtimeUrlFor } from "./config";
import type { AppDeps } from "./deps";
import { startEmbeddedS3 } from "./embedded-s3";
import { serveHttp } from "./http/serve-http";
import { createWidgetCache } from "./modules/widget";
import type { AppRouter } from "./root";
import { createStorage } from "./storage";

export { SESSION_CACHE_MS } from "./auth/session-cache";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestPlatform {
  deps: AppDeps;
  database: TestDatabase;
  /** Base URL of the api served on a real port. */
  url: string;
  origin: string;
  /** A typed client that keeps cookies like a browser and sends the dashboard's Origin. */
  browser(options?: { origin?: string; bearer?: string }): ReturnType<typeof createBrowserClient>;
  close(): Promise<void>;
}

/**
 * A typed client that behaves like a browser tab: keeps cookies, sends an Origin header, and
 * optionally a bearer token (API key or visitor token).
 */
export function createBrowserClient(options: { url: string; origin: string; bearer?: string | undefined }) {
  const jar = new Map<string, string>();
  const cookieFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set("origin", options.origin);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    if (options.bearer) headers.set("authorization", `Bearer ${options.bearer}`);
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (value) jar.set(pair.slice(0, eq), value);
      else jar.delete(pair.slice(0, eq));
    }
    return response;
  };
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${options.url}/trpc`,
        fetch: cookieFetch as unknown as NonNullable<Parameters<typeof httpLink>[0]["fetch"]>,
      }),
    ],
  });
}

/**
 * The api over a fresh database (PostgreSQL, or as `database` says: the embedded one, or PostgreSQL
 * through a pooler), a Redis key prefix of its own, real queues and the embedded S3 server.
 */
export async function createTestPlatform(
  overrides: Partial<ApiConfig> = {},
  databaseOptions: TestDatabaseOptions = {},
): Promise<TestPlatform> {
  const database = await createTestDatabase(databaseOptions);
  const prefix = `t${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const queueOptions = { redis: TEST_REDIS_URL, prefix };
  const queues = {
    aiReply: createQueue(QUEUES.aiReply, queueOptions),
    kbIndex: createQueue(QUEUES.kbIndex, queueOptions),
    email: createQueue(QUEUES.email, queueOptions),
  };
  const s3dir = path.join(os.tmpdir(), `s3-${prefix.slice(0, -1)}`);
  const dashboardOrigins = overrides.dashboardOrigins ?? ["http://dashboard.test"];
  const s3 = await startEmbeddedS3({
    directory: s3dir,
    bucket: "test",
    allowedOrigins: dashboardOrigins,
    secretAccessKey: randomBytes(16).toString("hex"),
  });
  const storage = createStorage(s3.config);
  await storage.ensureBucket();

  const config: ApiConfig = {
    publicUrl: "http://127.0.0.1",
    realtimeUrl: "ws://127.0.0.1/realtime",
    dashboardOrigins,
    appSecret: randomBytes(32).toString("hex"),
    sessionTtlMs: 30 * 86_400_000,
    visitorTokenTtlSeconds: 3600,
    cookieSecure: false,
    maxBodyBytes: 1_048_576,
    maxUploadBytes: 5_242_880,
    redisPrefix: prefix,
    // As in production: no private provider addresses unless a test allows its local server.
    aiNetwork: {},
    ...overrides,
  };
  const clock = () => new Date();
  const deps: AppDeps = {
    db: database.kysely,
    redis,
    queues,
    storage,
    config,
    clock,
    logger: silentLogger,
    credentials: createCredentialCaches(),
    widgetCache: createWidgetCache(clock),
  };
  const revocations = redis.duplicate();
  // No realtime service in the api's test platform: an announcement only evicts cached credentials.
  const stopRevocations = await listenForCredentialChanges(
    revocations,
    prefix,
    evictCachedCredentials(deps.credentials),
  );
  const server = await serveHttp({ fetch: createApp(deps).fetch, port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config.publicUrl = url;
  config.realtimeUrl = realtimeUrlFor(url);

  return {
    deps,
    database,
    url,
    origin: "http://dashboard.test",
    browser: (options = {}) =>
      createBrowserClient({ url, origin: options.origin ?? "http://dashboard.test", bearer: options.bearer }),
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await stopRevocations();
      revocations.disconnect();
      await Promise.all(
        Object.values(queues).map((q) => q.obliterate({ force: true }).then(() => q.close())),
      );
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await s3.stop();
      await rm(s3dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export interface AnotherApiProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * A second api process beside `platform`, as another replica behind the load balancer: the same database
 * and Redis prefix, but its own database handle, credential caches, listener on the credential-change
 * channel and `clock` (a test that holds it still keeps every cached credential inside its lifetime).
 */
export async function startAnotherApiProcess(
  platform: TestPlatform,
  clock: () => Date,
): Promise<AnotherApiProcess> {
  const db = await createDb({ url: platform.database.url!, poolSize: 4 });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const deps: AppDeps = {
    ...platform.deps,
    db: db.kysely,
    redis,
    clock,
    credentials: createCredentialCaches(),
    widgetCache: createWidgetCache(clock),
  };
  const listener = redis.duplicate();
  const stopListening = await listenForCredentialChanges(
    listener,
    deps.config.redisPrefix,
    evictCachedCredentials(deps.credentials),
  );
  const server = await serveHttp({ fetch: createApp(deps).fetch, port: 0, hostname: "127.0.0.1" });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await stopListening();
      listener.disconnect();
      redis.disconnect();
      await db.close();
    },
  };
}

/** A widget visitor of `publicKey` on `origin` with a new conversation, as the widget starts one. */
export async function startVisitorConversation(platform: TestPlatform, publicKey: string, origin: string) {
  const started = await platform.browser({ origin }).widget.start.mutate({ publicKey });
  const client = platform.browser({ origin, bearer: started.visitorToken });
  const { conversationId } = await client.conversation.start.mutate({});
  return { client, conversationId, visitorId: started.visitorId, visitorToken: started.visitorToken };
}

/** Every event published on `channel` so far, from its Redis stream. */
export async function publishedEvents(platform: TestPlatform, channel: string): Promise<RealtimeEvent[]> {
  const { entries } = await readEventsSince(platform.deps.redis, channel, 0, {
    prefix: platform.deps.config.redisPrefix,
  });
  return entries.map((e) => JSON.parse(e).event as RealtimeEvent);
}

/** Every row a tenant owns, as text, in one query: compare it before and after an attempt to change it. */
export async function tenantSnapshot(db: Kysely<Database>, tenantId: string): Promise<string> {
  const perTable = [
    sql`(select coalesce(json_agg(t order by t::text), '[]') from tenants t where id = ${tenantId})`,
    ...TENANT_TABLES.map(
      (table) =>
        sql`(select coalesce(json_agg(t order by t::text), '[]') from ${sql.table(table)} t where tenant_id = ${tenantId})`,
    ),
  ];
  const { rows } = await sql<{
    snapshot: unknown;
  }>`select json_build_array(${sql.join(perTable)}) as snapshot`.execute(db);
  return JSON.stringify(rows[0]?.snapshot, null, 1);
}
