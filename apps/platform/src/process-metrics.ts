import type { Db } from "@avatar-chat/db";
import type { Realtime } from "@avatar-chat/realtime";
import {
  counterFromScrape,
  gaugeFromScrape,
  type Metrics,
  type NamedRedisClient,
  type Sample,
  topEntries,
} from "@avatar-chat/telemetry";
import type { RunningWorker } from "@avatar-chat/worker";
import type { Redis } from "ioredis";

/** Tenants listed by name in the per-tenant socket gauge; the rest are summed under "other". */
const TOP_TENANTS = 10;

async function roundTripSeconds(check: () => Promise<unknown>): Promise<Sample[]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), 1_000);
  });
  try {
    await Promise.race([check(), timeout]);
    return [{ value: (performance.now() - started) / 1000 }];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The gauges and counters read when Prometheus scrapes: dependency round trips and pool usage for every
 * process, queue depths where the worker runs, sockets and deliveries where realtime runs.
 */
export function registerScrapedMetrics(
  metrics: Metrics,
  parts: {
    db: Db;
    redis: Pick<Redis, "ping">;
    /** The process's own Redis clients; the worker's and realtime's are added to them. */
    redisClients: readonly NamedRedisClient[];
    worker: RunningWorker | null;
    realtime: Realtime | null;
  },
): void {
  const { db, redis, worker, realtime } = parts;
  const redisClients = async () => [
    ...parts.redisClients,
    ...(worker ? await worker.redisClients() : []),
    ...(realtime ? realtime.redisClients() : []),
  ];
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_db_round_trip_seconds",
      help: "A SELECT 1 on the owner pool, measured at scrape (absent past 1 s)",
    },
    () => roundTripSeconds(() => db.kysely.selectNoFrom((eb) => eb.lit(1).as("one")).execute()),
  );
  gaugeFromScrape(
    metrics,
    { name: "avatar_redis_round_trip_seconds", help: "A Redis PING, measured at scrape (absent past 1 s)" },
    () => roundTripSeconds(() => redis.ping()),
  );
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_redis_client_status",
      help: "Each Redis client of this process, 1 under its ioredis status (ready, connecting, reconnecting, …)",
      labelNames: ["client", "status"],
    },
    async () =>
      (await redisClients()).map(({ client, redis }) => ({
        labels: { client, status: redis.status },
        value: 1,
      })),
  );
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_redis_commands_in_flight",
      help: "Commands sent on each Redis client of this process and not yet answered",
      labelNames: ["client"],
    },
    async () =>
      (await redisClients()).map(({ client, redis }) => ({
        labels: { client },
        value: redis.commandQueue?.length ?? 0,
      })),
  );
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_db_pool_connections",
      help: "Database connections by pool (owner, tenant, replica; embedded: PGlite's one) and state (total, idle, waiting callers)",
      labelNames: ["pool", "state"],
    },
    () =>
      db.poolUsage().flatMap(({ pool, total, idle, waiting }) => [
        { labels: { pool, state: "total" }, value: total },
        { labels: { pool, state: "idle" }, value: idle },
        { labels: { pool, state: "waiting" }, value: waiting },
      ]),
  );
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_db_replica_lag_seconds",
      help: "How far the read replica's last replayed transaction is behind (absent without a replica)",
    },
    async () => {
      const lag = await db.replicaLagSeconds();
      return lag === null ? [] : [{ value: lag }];
    },
  );
  if (worker)
    gaugeFromScrape(
      metrics,
      {
        name: "avatar_queue_jobs",
        help: "BullMQ jobs by queue and state (waiting, active, delayed, failed)",
        labelNames: ["queue", "state"],
      },
      () => worker.queueDepths(),
    );
  if (realtime) registerRealtime(metrics, realtime);
}

function registerRealtime(metrics: Metrics, realtime: Realtime): void {
  gaugeFromScrape(
    metrics,
    { name: "avatar_realtime_sockets", help: "Open realtime sockets on this node" },
    () => [{ value: realtime.stats().connections }],
  );
  gaugeFromScrape(
    metrics,
    {
      name: "avatar_realtime_tenant_sockets",
      help: `Open sockets of the ${TOP_TENANTS} tenants holding most on this node; the rest under tenant="other"`,
      labelNames: ["tenant"],
    },
    () => {
      const counts = realtime.stats().tenantSockets;
      const top = topEntries(counts, TOP_TENANTS);
      let rest = 0;
      for (const count of counts.values()) rest += count;
      for (const [, count] of top) rest -= count;
      return [
        ...top.map(([tenant, value]) => ({ labels: { tenant }, value })),
        { labels: { tenant: "other" }, value: rest },
      ];
    },
  );
  const counter = (name: string, help: string, read: () => number) =>
    counterFromScrape(metrics, { name, help }, () => [{ value: read() }]);
  counter("avatar_realtime_deliveries_total", "Events written to sockets", () => realtime.stats().delivered);
  counter(
    "avatar_realtime_resumes_total",
    "Subscriptions that resumed behind the channel's head",
    () => realtime.stats().resumes,
  );
  counter(
    "avatar_realtime_replayed_events_total",
    "Missed events replayed to resuming subscriptions",
    () => realtime.stats().replayed,
  );
  counterFromScrape(
    metrics,
    {
      name: "avatar_realtime_drops_total",
      help: "Sockets the server closed, by close code",
      labelNames: ["code"],
    },
    () => [...realtime.stats().closesByCode].map(([code, value]) => ({ labels: { code }, value })),
  );
}
