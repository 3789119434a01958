import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, createWidgetCache } from "@avatar-chat/api";
import type { Storage } from "@avatar-chat/api/object-storage";
import { type CredentialCaches, createApiRedis, serveHttp } from "@avatar-chat/api/process";
import { connectionStatus } from "@avatar-chat/config";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { closeQueue, createQueue } from "@avatar-chat/worker/producer";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import { requestLog } from "../request-log";
import { serveDashboard } from "../static-files";
import type { RoleContext } from "./context";

/** The api role: tRPC and the plain routes, the dashboard's files, and the queues it enqueues on. */
export async function startApiRole(
  context: RoleContext,
  shared: {
    storage: Storage;
    credentials: CredentialCaches;
    requestLogger: RoleContext["logger"];
    /** The widget's and the dashboard's builds (served when built). */
    widgetDir: string;
    dashboardDir: string;
  },
): Promise<{ server: Server; url: string; redis: Redis }> {
  const { env, config, stops, banner, redisClients, metrics } = context;
  const redisStatus = connectionStatus("api: redis", context.logger);
  const redis = createApiRedis(context.redisConnection, redisStatus);
  redisClients.push({ client: "api", redis });
  stops.push(async () => redis.disconnect());
  const queueOptions = { redis: context.redisConnection, prefix: config.redisPrefix, status: redisStatus };
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
    db: context.db.kysely,
    redis,
    queues,
    storage: shared.storage,
    config,
    widgetDir: shared.widgetDir,
    clock,
    logger: context.logger,
    credentials: shared.credentials,
    widgetCache: createWidgetCache(clock),
  });
  const root = new Hono();
  root.use(
    "*",
    requestLog({
      logger: shared.requestLogger,
      slowMs: env.SLOW_REQUEST_MS,
      ...(metrics ? { metrics } : {}),
    }),
  );
  root.route("/", api);
  const dashboardServed = serveDashboard(root, shared.dashboardDir);
  const server = await serveHttp({ fetch: root.fetch, port: env.API_PORT, hostname: "0.0.0.0" });
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  banner.push(`api: ${url}/trpc`);
  banner.push(dashboardServed ? `dashboard: ${url}/` : "dashboard: not built (run `pnpm build`)");
  banner.push(`widget script: ${url}/widget/avatar-chat.js`);
  return { server, url, redis };
}
