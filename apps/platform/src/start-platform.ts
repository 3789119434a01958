import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  apiConfigFrom,
  createApiRedis,
  createCredentialCaches,
  evictCachedCredentials,
  healthRoutes,
  listenForCredentialChanges,
  securityHeaders,
  serveHttp,
} from "@avatar-chat/api/process";
import { connectionStatus, createRedisClient, describeRedis, watchRedis } from "@avatar-chat/config";
import { createDb, migrate } from "@avatar-chat/db";
import type { Realtime } from "@avatar-chat/realtime";
import {
  createLogger,
  createMetrics,
  type NamedRedisClient,
  serveMetrics,
  startTracing,
  tracingConfigured,
} from "@avatar-chat/telemetry";
import type { RunningWorker } from "@avatar-chat/worker";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import type { PlatformEnv } from "./config";
import { resolveRedis } from "./embedded/redis";
import { registerScrapedMetrics } from "./process-metrics";
import type { RoleContext } from "./roles/context";

// From this file, not from a role's: compiled, each role is a chunk beside main.js, one folder up from here.
const repoRoot = path.resolve(import.meta.dirname, "../../..");

export interface RunningPlatform {
  /** Where the dashboard and api answer (when the api role runs here). */
  url: string | null;
  realtimeUrl: string | null;
  banner: string[];
  close(): Promise<void>;
}

/**
 * The all-in-one composition root: builds the shared values once (database, Redis, storage) and
 * starts the roles asked for. Production runs one role per process with the same code.
 */
/** How long a stop may take in all, within `docker stop`'s 10 s before SIGKILL. */
const STOP_BUDGET_MS = 8_000;

export async function startPlatform(env: PlatformEnv): Promise<RunningPlatform> {
  const roles = new Set(env.PLATFORM_ROLES);
  // One logger for the process; each role logs through a child that names it.
  const logger = createLogger({ level: env.LOG_LEVEL, service: "platform" });
  const roleLogger = (role: string) => logger.child({ role });
  // Recorded only where something scrapes them.
  const metrics = env.METRICS_PORT === undefined ? undefined : createMetrics();
  const stops: Array<() => Promise<unknown>> = [];
  const banner: string[] = [];
  // A step waiting on a dependency that is gone (Redis killed, PostgreSQL down) must not hold the stop past
  // `docker stop`'s 10 s: each gets what is left of an 8 s budget, then the stop moves on.
  const close = async () => {
    const deadline = Date.now() + STOP_BUDGET_MS;
    for (const stop of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<"overdue">((resolve) => {
        timer = setTimeout(() => resolve("overdue"), Math.max(0, deadline - Date.now()));
      });
      const outcome = await Promise.race([
        stop().catch((error) => logger.error({ err: error }, "stop failed")),
        overdue,
      ]);
      clearTimeout(timer);
      if (outcome === "overdue") logger.warn("stop step still waiting at the stop deadline; moving on");
    }
  };

  try {
    if (tracingConfigured(env)) {
      // Stopped last (pushed first): the spans of everything stopping before it are flushed.
      const stopTracing = await startTracing(env.OTEL_SERVICE_NAME ?? `avatar-chat-${[...roles].join("-")}`);
      stops.push(stopTracing);
      banner.push(
        `tracing: OTLP to ${env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT}`,
      );
    }
    // Every pooled and pipelined PostgreSQL connection of this process reports here: one log line when the
    // database becomes unreachable, one when it is back.
    const db = await createDb({
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      poolMode: env.DATABASE_POOL_MODE,
      replicaUrl: env.DATABASE_REPLICA_URL,
      readConnections: env.DATABASE_READ_CONNECTIONS,
      dataDir: path.resolve(env.DATA_DIR, "pglite"),
      connection: connectionStatus("database", logger),
    });
    stops.push(() => db.close());
    if (env.MIGRATE_ON_START) await migrate(db.kysely);
    banner.push(
      `database: ${db.backend === "pglite" ? `embedded PGlite in ${path.resolve(env.DATA_DIR, "pglite")}` : "PostgreSQL (DATABASE_URL)"}`,
    );

    const redisSource = await resolveRedis(
      { url: env.REDIS_URL, sentinels: env.REDIS_SENTINELS, sentinelName: env.REDIS_SENTINEL_NAME },
      env.DATA_DIR,
    );
    stops.push(() => redisSource.stop());
    const redisConnection = redisSource.connection;
    banner.push(`redis: ${describeRedis(redisConnection)} (${redisSource.origin})`);

    const config = apiConfigFrom(env, env.REDIS_PREFIX);
    const redisClients: NamedRedisClient[] = [];
    const context: RoleContext = {
      env,
      db,
      redisConnection,
      config,
      logger,
      metrics,
      stops,
      banner,
      redisClients,
    };
    const withLogger = (role: string): RoleContext => ({ ...context, logger: roleLogger(role) });
    // Each role's code is imported only when this process runs it (roles/*.ts): a realtime-only process
    // loads none of the api's routers, tRPC, the S3 client or the worker's consumers (import-boundaries.test.ts).
    const storage =
      roles.has("api") || roles.has("worker")
        ? await (await import("./roles/storage")).startStorage(context)
        : null;

    let worker: RunningWorker | null = null;
    if (storage && roles.has("worker")) {
      const { startWorkerRole } = await import("./roles/worker");
      worker = await startWorkerRole(withLogger("worker"), storage);
    }

    // One per process: the api and realtime share what either checked, and one listener evicts from both.
    const credentials = createCredentialCaches();
    let realtime: Realtime | null = null;
    if (roles.has("realtime")) {
      const { startRealtimeRole } = await import("./roles/realtime");
      realtime = startRealtimeRole(withLogger("realtime"), credentials);
    }

    if (roles.has("api") || realtime) {
      // Whichever api process made the change: a revoked API key leaves this process's key cache and its
      // realtime sockets close at once; a user who signed out or lost a membership leaves the session cache
      // and has their sockets checked.
      const revocations = watchRedis(
        createRedisClient(redisConnection),
        connectionStatus("redis (credential changes)", logger),
      );
      const liveRealtime = realtime;
      const evict = evictCachedCredentials(credentials);
      await listenForCredentialChanges(revocations, env.REDIS_PREFIX, {
        keyRevoked(keyId) {
          evict.keyRevoked(keyId);
          liveRealtime?.recheck((principal) => principal.kind === "apiKey" && principal.keyId === keyId);
        },
        userChanged(userId) {
          evict.userChanged(userId);
          liveRealtime?.recheck((principal) => principal.kind === "member" && principal.userId === userId);
        },
      });
      // Unsubscribing first would wait for a Redis that may be gone; the connection is this listener's own.
      stops.push(async () => revocations.disconnect());
      redisClients.push({ client: "credential-changes", redis: revocations });
    }

    // Every process keeps one plain Redis client (the api's, or the health server's); metrics ping through it.
    let pingable: Redis | null = null;
    let url: string | null = null;
    if (storage && roles.has("api")) {
      const { startApiRole } = await import("./roles/api");
      const api = await startApiRole(withLogger("api"), {
        storage,
        credentials,
        requestLogger: roleLogger("http"),
        widgetDir: path.join(repoRoot, "packages/widget/dist"),
        dashboardDir: path.join(repoRoot, "apps/dashboard/dist"),
      });
      pingable = api.redis;
      url = api.url;
      if (realtime) {
        realtime.attach(api.server);
        banner.push(`realtime: ${config.realtimeUrl}`);
      }
    } else {
      // Without the api's server, the process serves /healthz and /readyz itself (on realtime's port when
      // it runs realtime, else on HEALTH_PORT), for the orchestrator's and the load balancer's checks, with
      // the api's security headers on every answer.
      const redis = createApiRedis(redisConnection, connectionStatus("health: redis", logger));
      pingable = redis;
      redisClients.push({ client: "health", redis });
      stops.push(async () => redis.disconnect());
      const health = new Hono();
      health.use("*", securityHeaders());
      health.route("/", healthRoutes({ db: db.kysely, redis }));
      const server = await serveHttp({
        fetch: health.fetch,
        port: realtime ? env.REALTIME_PORT : env.HEALTH_PORT,
        hostname: "0.0.0.0",
      });
      stops.push(() => new Promise((resolve) => server.close(resolve)));
      const bound = (server.address() as AddressInfo).port;
      if (realtime) {
        realtime.attach(server);
        banner.push(`realtime: ws://localhost:${bound}/realtime`);
      }
      banner.push(`health: http://localhost:${bound}/healthz and /readyz`);
    }
    if (metrics && env.METRICS_PORT !== undefined && pingable) {
      registerScrapedMetrics(metrics, { db, redis: pingable, redisClients, worker, realtime });
      const served = await serveMetrics(metrics, { host: env.METRICS_HOST, port: env.METRICS_PORT });
      stops.push(served.close);
      banner.push(`metrics: ${served.url}`);
    }
    return { url, realtimeUrl: realtime ? config.realtimeUrl : null, banner, close };
  } catch (error) {
    await close();
    throw error;
  }
}
