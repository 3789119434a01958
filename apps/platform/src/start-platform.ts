import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createProvider } from "@avatar-chat/ai";
import {
  type ApiConfig,
  apiConfigFrom,
  createApiRedis,
  createApp,
  createCredentialCaches,
  createStorage,
  createWidgetCache,
  evictCachedCredentials,
  healthRoutes,
  listenForCredentialChanges,
  providerSettingsFor,
  type StorageConfig,
  serveHttp,
  startEmbeddedS3,
} from "@avatar-chat/api";
import { createRealtimeAccess } from "@avatar-chat/api/realtime-access";
import { connectionStatus, createRedisClient, describeRedis, watchRedis } from "@avatar-chat/config";
import { createDb, migrate } from "@avatar-chat/db";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { createRealtime, type RealtimeLimitsInput } from "@avatar-chat/realtime";
import {
  createLogger,
  createMetrics,
  type NamedRedisClient,
  serveMetrics,
  startTracing,
  tracingConfigured,
} from "@avatar-chat/telemetry";
import { closeQueue, createQueue, createWorker } from "@avatar-chat/worker";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import type { PlatformEnv } from "./config";
import { resolveRedis } from "./embedded/redis";
import { registerScrapedMetrics } from "./process-metrics";
import { requestLog } from "./request-log";
import { serveDashboard } from "./static-files";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** The realtime limits the environment sets; the others keep the service's defaults. */
function realtimeLimitsFrom(env: PlatformEnv): RealtimeLimitsInput {
  const limits: RealtimeLimitsInput = {};
  if (env.REALTIME_MAX_CONNECTIONS_PER_TENANT !== undefined)
    limits.maxConnectionsPerTenant = env.REALTIME_MAX_CONNECTIONS_PER_TENANT;
  if (env.REALTIME_MAX_CONNECTIONS_PER_VISITOR !== undefined)
    limits.maxConnectionsPerVisitor = env.REALTIME_MAX_CONNECTIONS_PER_VISITOR;
  if (env.REALTIME_MAX_CONNECTIONS_PER_ADDRESS !== undefined)
    limits.maxConnectionsPerAddress = env.REALTIME_MAX_CONNECTIONS_PER_ADDRESS;
  return limits;
}

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

    const prefix = env.REDIS_PREFIX;
    const config: ApiConfig = apiConfigFrom(env, prefix);
    let storageConfig: StorageConfig = {
      endpoint: env.S3_ENDPOINT ?? "",
      publicEndpoint: env.S3_PUBLIC_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID ?? "",
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? "",
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    };
    if (!env.S3_ENDPOINT) {
      const s3 = await startEmbeddedS3({
        directory: path.resolve(env.DATA_DIR, "s3"),
        bucket: env.S3_BUCKET,
        port: env.EMBEDDED_S3_PORT,
        allowedOrigins: config.dashboardOrigins,
        // From the app secret, so presigned URLs stay valid across a restart.
        secretAccessKey: createHmac("sha256", config.appSecret).update("embedded object store").digest("hex"),
      });
      stops.push(() => s3.stop());
      storageConfig = s3.config;
      banner.push(
        `object storage: embedded S3 at ${s3.config.endpoint}, files in ${path.resolve(env.DATA_DIR, "s3")}`,
      );
    } else {
      banner.push(`object storage: ${env.S3_ENDPOINT}`);
    }
    const storage = createStorage(storageConfig);
    await storage.ensureBucket();

    const realtimeUrl = config.realtimeUrl;
    const providerFor = async (tenantId: string) =>
      createProvider(await providerSettingsFor(db.kysely, config.appSecret, tenantId), {
        network: config.aiNetwork,
      });

    let worker: ReturnType<typeof createWorker> | null = null;
    if (roles.has("worker")) {
      worker = createWorker({
        db: db.kysely,
        redis: redisConnection,
        prefix,
        storage,
        providerFor,
        mailer: { smtpUrl: env.SMTP_URL ?? null, from: env.MAIL_FROM },
        retention: { auditDays: env.AUDIT_RETENTION_DAYS },
        repliesPerTenant: env.AI_REPLIES_PER_TENANT,
        indexingPerTenant: env.KB_INDEXING_PER_TENANT,
        slowJobMs: env.SLOW_JOB_MS,
        logger: roleLogger("worker"),
        ...(metrics ? { metrics } : {}),
      });
      await worker.waitUntilReady();
      const running = worker;
      stops.push(() => running.close());
      banner.push("worker: ai-reply, kb-index, analytics-rollup, email, housekeeping");
    }

    // One per process: the api and realtime share what either checked, and one listener evicts from both.
    const credentials = createCredentialCaches();
    let realtime: ReturnType<typeof createRealtime> | null = null;
    if (roles.has("realtime")) {
      const access = createRealtimeAccess({
        db: db.kysely,
        credentials,
        appSecret: config.appSecret,
        sessionTtlMs: config.sessionTtlMs,
        clock: () => new Date(),
      });
      realtime = createRealtime({
        redis: redisConnection,
        keyPrefix: prefix,
        authenticate: access.authenticate,
        authorize: access.authorize,
        renew: access.renew,
        allowedOrigins: config.dashboardOrigins,
        trustedProxies: env.TRUSTED_PROXIES,
        limits: realtimeLimitsFrom(env),
        logger: roleLogger("realtime"),
      });
      stops.push(() => realtime!.close());
    }

    // This process's own Redis clients, by name, for the client gauges (the worker and realtime list theirs).
    const redisClients: NamedRedisClient[] = [];
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
      await listenForCredentialChanges(revocations, prefix, {
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
    if (roles.has("api")) {
      const apiLogger = roleLogger("api");
      const redisStatus = connectionStatus("api: redis", apiLogger);
      const redis = createApiRedis(redisConnection, redisStatus);
      pingable = redis;
      redisClients.push({ client: "api", redis });
      stops.push(async () => redis.disconnect());
      const queueOptions = { redis: redisConnection, prefix, status: redisStatus };
      const queues = {
        aiReply: createQueue(QUEUES.aiReply, queueOptions),
        kbIndex: createQueue(QUEUES.kbIndex, queueOptions),
        email: createQueue(QUEUES.email, queueOptions),
      };
      // Connected before the platform says it runs: a stop never has to wait on a half-open connection.
      await Promise.all(
        Object.values(queues).map(async (queue) =>
          redisClients.push({ client: `queue:${queue.name}`, redis: await queue.waitUntilReady() }),
        ),
      );
      stops.push(() => Promise.all(Object.values(queues).map(closeQueue)));
      const clock = () => new Date();
      const api = createApp({
        db: db.kysely,
        redis,
        queues,
        storage,
        config,
        widgetDir: path.join(repoRoot, "packages/widget/dist"),
        clock,
        logger: apiLogger,
        credentials,
        widgetCache: createWidgetCache(clock),
      });
      const root = new Hono();
      root.use(
        "*",
        requestLog({
          logger: roleLogger("http"),
          slowMs: env.SLOW_REQUEST_MS,
          ...(metrics ? { metrics } : {}),
        }),
      );
      root.route("/", api);
      const dashboardServed = serveDashboard(root, path.join(repoRoot, "apps/dashboard/dist"));
      const server = await serveHttp({ fetch: root.fetch, port: env.API_PORT, hostname: "0.0.0.0" });
      stops.push(() => new Promise((resolve) => server.close(resolve)));
      if (realtime) realtime.attach(server);
      const port = (server.address() as AddressInfo).port;
      url = `http://localhost:${port}`;
      banner.push(`api: ${url}/trpc`);
      banner.push(dashboardServed ? `dashboard: ${url}/` : "dashboard: not built (run `pnpm build`)");
      banner.push(`widget script: ${url}/widget/avatar-chat.js`);
    }
    if (!roles.has("api")) {
      // Without the api's server, the process serves /healthz and /readyz itself (on realtime's port when
      // it runs realtime, else on HEALTH_PORT), for the orchestrator's and the load balancer's checks.
      const redis = createApiRedis(redisConnection, connectionStatus("health: redis", logger));
      pingable = redis;
      redisClients.push({ client: "health", redis });
      stops.push(async () => redis.disconnect());
      const port = realtime ? env.REALTIME_PORT : env.HEALTH_PORT;
      const server = await serveHttp({
        fetch: healthRoutes({ db: db.kysely, redis }).fetch,
        port,
        hostname: "0.0.0.0",
      });
      stops.push(() => new Promise((resolve) => server.close(resolve)));
      const bound = (server.address() as AddressInfo).port;
      if (realtime) {
        realtime.attach(server);
        banner.push(`realtime: ws://localhost:${bound}/realtime`);
      }
      banner.push(`health: http://localhost:${bound}/healthz and /readyz`);
    } else if (realtime) {
      banner.push(`realtime: ${realtimeUrl}`);
    }
    if (metrics && env.METRICS_PORT !== undefined && pingable) {
      registerScrapedMetrics(metrics, { db, redis: pingable, redisClients, worker, realtime });
      const served = await serveMetrics(metrics, { host: env.METRICS_HOST, port: env.METRICS_PORT });
      stops.push(served.close);
      banner.push(`metrics: ${served.url}`);
    }
    return { url, realtimeUrl: realtime ? realtimeUrl : null, banner, close };
  } catch (error) {
    await close();
    throw error;
  }
}
