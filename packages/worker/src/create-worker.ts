import { createProvider, espeakAvailable, type Provider, type SafeFetchOptions } from "@avatar-chat/ai";
import { connectionStatus, isDependencyUnavailable } from "@avatar-chat/config";
import type { Database } from "@avatar-chat/db";
import { forgetConversationChannels } from "@avatar-chat/protocol";
import { QUEUES, type QueueName } from "@avatar-chat/protocol/jobs";
import {
  type Logger,
  type Metrics,
  type NamedRedisClient,
  type Sample,
  silentLogger,
} from "@avatar-chat/telemetry";
import { type Job, Queue, Worker } from "bullmq";
import type { Kysely } from "kysely";
import { processAiReply } from "./ai-reply/process-reply";
import { providerBackoffMs } from "./ai-reply/rules";
import { processRollup } from "./analytics/rollup";
import { createEmailSender, type MailerConfig } from "./email/send-email";
import { sweepOrphanedChannels } from "./housekeeping/orphaned-channels";
import {
  DEFAULT_RETENTION,
  type ObjectRemover,
  processPrune,
  type RetentionPolicy,
} from "./housekeeping/prune";
import { observeJob } from "./job-observation";
import { processKbIndex, type StorageReader } from "./kb-index/process-index";
import {
  bullConnection,
  bullPrefix,
  closeQueue,
  createQueue,
  createRedis,
  type RedisConnection,
} from "./queues";
import { DEFAULT_REDELIVERY, type RedeliveryOptions, redeliver } from "./redelivery/sweep";
import { warnIfSlow } from "./slow-job";
import { createTenantTurns } from "./tenant-turns";
import { checkOfflineVoice, replyVoiceStarter } from "./voice/reply-voice";

export interface WorkerDeps {
  db: Kysely<Database>;
  redis: RedisConnection;
  /** Prefix of every Redis key (BullMQ queues, realtime streams, stop keys), e.g. "ac:". */
  prefix: string;
  /** Knowledge files are read; visitors' recordings no message kept are deleted (housekeeping). */
  storage: StorageReader & ObjectRemover;
  /** The tenant's model provider; default: the offline provider for everyone. */
  providerFor?: (tenantId: string) => Provider | Promise<Provider>;
  mailer?: MailerConfig;
  /** Jobs run at once per queue in this process. */
  concurrency?: Partial<Record<QueueName, number>>;
  logger?: Logger;
  /** Job wait and run times, stalled jobs, reply timings and tokens; unset: not recorded. */
  metrics?: Metrics;
  clock?: () => Date;
  /** Budget of one reply attempt (retrieval + generation). Default 120 s. */
  replyTimeoutMs?: number;
  /** Replies of one tenant running at once across all workers; more wait their turn. Default 8. */
  repliesPerTenant?: number;
  /** Knowledge sources of one tenant indexed at once across all workers. Default 1. */
  indexingPerTenant?: number;
  /** A job running longer is logged as slow while it runs. Default 120 s. */
  slowJobMs?: number;
  /** How long close() lets running jobs finish before leaving them to stalled-job recovery. Default 30 s. */
  shutdownTimeoutMs?: number;
  /** Interval of the repeatable analytics roll-up; null: not scheduled (tests call it directly). Default 60 s. */
  rollupEveryMs?: number | null;
  /** Interval of the redelivery sweep (redelivery/sweep.ts); null: not run (tests call it). Default 10 s. */
  redeliverEveryMs?: number | null;
  redelivery?: Partial<RedeliveryOptions>;
  /** Interval of the housekeeping that prunes old rows; null: not scheduled. Default 1 h. */
  pruneEveryMs?: number | null;
  /** What housekeeping keeps; default DEFAULT_RETENTION. */
  retention?: Partial<RetentionPolicy>;
  /** Lock and stalled-check timing; tests shorten them to recover a killed worker's job quickly. */
  lock?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number };
  /** Whether the offline voice (espeak-ng) may run; default: when espeak-ng is installed. */
  offlineVoice?: boolean;
  /** URL sources: overrides for safeFetch (tests allow a local server). */
  fetchOptions?: Partial<SafeFetchOptions>;
}

export interface RunningWorker {
  /** Resolves when every queue's worker is connected and taking jobs. */
  waitUntilReady(): Promise<void>;
  /** Stops taking jobs, lets running ones finish (up to shutdownTimeoutMs), then disconnects. */
  close(): Promise<void>;
  /** Jobs per queue and state (waiting, active, delayed, failed), for the queue-depth gauge. */
  queueDepths(): Promise<Sample[]>;
  /** Its plain Redis client and each queue's BullMQ worker connection, for the Redis client gauges. */
  redisClients(): Promise<NamedRedisClient[]>;
}

const defaultConcurrency: Record<QueueName, number> = {
  [QUEUES.aiReply]: 16,
  [QUEUES.kbIndex]: 2,
  [QUEUES.analyticsRollup]: 1,
  [QUEUES.email]: 4,
  [QUEUES.housekeeping]: 1,
};

/** The worker process's composition root: one BullMQ Worker per queue, sharing the deps. */
export function createWorker(deps: WorkerDeps): RunningWorker {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? (() => new Date());
  const offline = createProvider({ kind: "offline" });
  const providerFor = deps.providerFor ?? (() => offline);
  // Outages are logged once each way: Redis by every connection here, and jobs failing because PostgreSQL
  // or Redis was away (they are retried, and swept up again if their attempts ran out).
  const redisStatus = connectionStatus("worker: redis", logger);
  const jobsStatus = connectionStatus("worker: jobs' PostgreSQL or Redis", logger);
  const redis = createRedis(deps.redis, redisStatus);
  const email = createEmailSender({
    db: deps.db,
    mailer: deps.mailer ?? { smtpUrl: null, from: "Avatar Chat <no-reply@localhost>" },
    clock,
    logger,
  });

  const replyTimeoutMs = deps.replyTimeoutMs ?? 120_000;
  const voice = replyVoiceStarter({
    db: deps.db,
    redis,
    prefix: deps.prefix,
    logger,
    providerFor,
    offlineVoice: checkOfflineVoice(
      deps.offlineVoice === undefined ? espeakAvailable() : Promise.resolve(deps.offlineVoice),
      logger,
    ),
  });
  const replyTurns = createTenantTurns(redis, deps.prefix, {
    queue: QUEUES.aiReply,
    perTenant: deps.repliesPerTenant ?? 8,
  });
  const indexTurns = createTenantTurns(redis, deps.prefix, {
    queue: QUEUES.kbIndex,
    perTenant: deps.indexingPerTenant ?? 1,
  });

  const processors: Record<QueueName, (job: Job, token?: string) => Promise<unknown>> = {
    [QUEUES.aiReply]: (job, token) =>
      replyTurns.run(job, token, () =>
        processAiReply(
          {
            db: deps.db,
            redis,
            prefix: deps.prefix,
            providerFor,
            clock,
            logger,
            timeoutMs: replyTimeoutMs,
            voice,
            ...(deps.metrics ? { metrics: deps.metrics.ai } : {}),
          },
          job,
        ),
      ),
    [QUEUES.kbIndex]: (job, token) =>
      indexTurns.run(job, token, () =>
        processKbIndex(
          {
            db: deps.db,
            redis,
            prefix: deps.prefix,
            storage: deps.storage,
            providerFor,
            clock,
            logger,
            ...(deps.fetchOptions ? { fetchOptions: deps.fetchOptions } : {}),
          },
          job,
        ),
      ),
    [QUEUES.analyticsRollup]: (job) => processRollup({ db: deps.db, clock }, job.data),
    [QUEUES.email]: (job) => email.send(job),
    [QUEUES.housekeeping]: () =>
      processPrune({
        db: deps.db,
        storage: deps.storage,
        forgetConversations: forgetConversationChannels(redis, deps.prefix),
        sweepOrphanedChannels: () => sweepOrphanedChannels(deps.db, redis, deps.prefix),
        clock,
        retention: { ...DEFAULT_RETENTION, ...deps.retention },
      }),
  };

  const workers = (Object.keys(processors) as QueueName[]).map((name) => {
    const run = (job: Job, token?: string) =>
      observeJob(deps.metrics, name, job, () =>
        warnIfSlow(logger, deps.slowJobMs ?? 120_000, { queue: name, id: job.id }, () =>
          processors[name](job, token),
        ),
      );
    const worker = new Worker(name, run, {
      connection: bullConnection(deps.redis),
      prefix: bullPrefix(deps.prefix),
      concurrency: deps.concurrency?.[name] ?? defaultConcurrency[name],
      ...deps.lock,
      settings: {
        // The "provider" backoff of ai-reply jobs: exponential, but never before the provider's Retry-After.
        backoffStrategy: (attemptsMade, _type, error, job) =>
          providerBackoffMs(attemptsMade, backoffDelay(job?.opts.backoff), error),
      },
    });
    worker.on("failed", (job, error) => {
      if (isDependencyUnavailable(error)) return jobsStatus.lost(error);
      logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, `${name}: job failed`);
    });
    worker.on("completed", jobsStatus.restored);
    // Its lock expired (the process was blocked or died): BullMQ hands the job to another attempt.
    worker.on("stalled", (jobId) => {
      deps.metrics?.jobs.stalled.inc({ queue: name });
      logger.warn({ jobId }, `${name}: job stalled`);
    });
    worker.on("error", (error) => {
      if (isDependencyUnavailable(error)) redisStatus.lost(error);
      else logger.error({ err: error }, `${name}: worker error`);
    });
    return worker;
  });

  // Repeatable jobs, one job scheduler per queue named after it: BullMQ keeps one schedule however many
  // workers run. null: not scheduled (tests run the job directly).
  const schedules: [queue: QueueName, job: string, everyMs: number | null][] = [
    [QUEUES.analyticsRollup, "rollup", deps.rollupEveryMs === undefined ? 60_000 : deps.rollupEveryMs],
    [QUEUES.housekeeping, "prune", deps.pruneEveryMs === undefined ? 3_600_000 : deps.pruneEveryMs],
  ];
  const scheduleQueues = schedules.flatMap(([name, job, every]) => {
    if (every === null) return [];
    const queue = createQueue(name, { ...deps, status: redisStatus });
    const upserted = queue
      .upsertJobScheduler(name, { every }, { name: job, data: {} })
      .catch((error: unknown) => logger.error({ err: error }, `${name}: could not schedule`));
    return [{ queue, upserted }];
  });
  const scheduled = Promise.all(scheduleQueues.map((schedule) => schedule.upserted));

  // Not a BullMQ repeatable job: it must run even when Redis lost its schedules, and it only enqueues
  // under existing job ids, so every worker process may run it.
  const redeliveryQueues = {
    aiReply: createQueue(QUEUES.aiReply, { ...deps, status: redisStatus }),
    kbIndex: createQueue(QUEUES.kbIndex, { ...deps, status: redisStatus }),
    email: createQueue(QUEUES.email, { ...deps, status: redisStatus }),
  };
  const redeliveryOptions = { ...DEFAULT_REDELIVERY, ...deps.redelivery };
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    sweeping ??= redeliver({ db: deps.db, queues: redeliveryQueues, clock }, redeliveryOptions)
      .then((counts) => {
        if (counts.replies + counts.sources + counts.emails > 0)
          logger.info(counts, "redelivery: enqueued work the database owed");
      })
      .catch((error: unknown) => {
        if (isDependencyUnavailable(error)) jobsStatus.lost(error);
        else logger.error({ err: error }, "redelivery failed");
      })
      .finally(() => {
        sweeping = null;
      });
  };
  const redeliverEveryMs = deps.redeliverEveryMs === undefined ? 10_000 : deps.redeliverEveryMs;
  const sweepTimer = redeliverEveryMs === null ? null : setInterval(sweep, redeliverEveryMs);
  sweepTimer?.unref();

  // Read at scrape time over the worker's plain Redis client (a Queue given a client shares it).
  const depthQueues = Object.values(QUEUES).map(
    (name) => new Queue(name, { connection: redis, prefix: bullPrefix(deps.prefix) }),
  );
  const depthStates = ["waiting", "active", "delayed", "failed"] as const;

  return {
    async queueDepths() {
      const counts = await Promise.all(depthQueues.map((queue) => queue.getJobCounts(...depthStates)));
      return depthQueues.flatMap((queue, i) =>
        depthStates.map((state) => ({
          labels: { queue: queue.name, state },
          value: counts[i]?.[state] ?? 0,
        })),
      );
    },
    async redisClients() {
      const queueClients = await Promise.all(
        workers.map(async (w) => ({ client: `worker:${w.name}`, redis: await w.client })),
      );
      return [{ client: "worker", redis }, ...queueClients];
    },
    async waitUntilReady() {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      await Promise.all(Object.values(redeliveryQueues).map((queue) => queue.waitUntilReady()));
      await scheduled;
    },
    async close() {
      // With Redis gone nothing can be handed back (job locks, schedules) and a polite close would wait
      // for it to return: connections are dropped at once instead.
      const redisUp = redis.status === "ready";
      if (!redisUp) await Promise.all(workers.map((w) => w.close(true)));
      else {
        const finished = Promise.all(workers.map((w) => w.close())).then(() => true);
        const timeout = new Promise<false>((resolve) => {
          const timer = setTimeout(() => resolve(false), deps.shutdownTimeoutMs ?? 30_000);
          timer.unref();
        });
        if (!(await Promise.race([finished, timeout]))) {
          // Running jobs keep their lock until it expires; another worker's stalled check then takes them over.
          logger.warn("worker: shutdown timeout, leaving running jobs to stalled-job recovery");
          await Promise.all(workers.map((w) => w.close(true)));
        }
      }
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
      await Promise.all(Object.values(redeliveryQueues).map(closeQueue));
      await scheduled;
      await Promise.all(scheduleQueues.map((schedule) => closeQueue(schedule.queue)));
      email.close();
      await Promise.all(depthQueues.map((queue) => queue.close().catch(() => {})));
      if (redisUp) await redis.quit();
      else redis.disconnect();
    },
  };
}

function backoffDelay(backoff: unknown): number {
  const delay = (backoff as { delay?: unknown } | undefined)?.delay;
  return typeof delay === "number" ? delay : 1000;
}
