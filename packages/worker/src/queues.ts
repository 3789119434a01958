import {
  type ConnectionStatus,
  createRedisClient,
  quietConnectionStatus,
  type RedisConnection,
  redisOptionsOf,
  watchRedis,
} from "@avatar-chat/config";
import { QUEUES, type QueueName } from "@avatar-chat/protocol/jobs";
import { type ConnectionOptions, type JobsOptions, Queue } from "bullmq";
import type { Redis, RedisOptions } from "ioredis";

export type { RedisConnection };

/** BullMQ joins prefix and queue name with ':' itself, so the deployment prefix "ac:" becomes "ac". */
export function bullPrefix(prefix: string): string {
  return prefix.replace(/:+$/, "") || "bull";
}

/** Connection options BullMQ accepts; workers need `maxRetriesPerRequest: null` (blocking commands). */
export function bullConnection(redis: RedisConnection): ConnectionOptions {
  return toRedisOptions(redis);
}

function toRedisOptions(redis: RedisConnection): RedisOptions {
  return { maxRetriesPerRequest: null, ...redisOptionsOf(redis) };
}

/** A plain client; `status` hears of its outages (it also keeps ioredis from printing every retry). */
export function createRedis(redis: RedisConnection, status: ConnectionStatus = quietConnectionStatus): Redis {
  return watchRedis(createRedisClient(redis, { maxRetriesPerRequest: null }), status);
}

// Retries: provider hiccups and SMTP outages are usually short. Failed jobs stay in the failed set
// (the dead-letter view) up to 1000 per queue; completed ones are dropped soon.
const removeOnFail = { count: 1000 };
const removeOnComplete = { count: 100, age: 3600 };

export const defaultJobOptions: Record<QueueName, JobsOptions> = {
  [QUEUES.aiReply]: {
    attempts: 4,
    backoff: { type: "provider", delay: 1000 },
    removeOnComplete,
    removeOnFail,
  },
  [QUEUES.kbIndex]: {
    attempts: 3,
    backoff: { type: "exponential", delay: 2000 },
    removeOnComplete,
    removeOnFail,
  },
  [QUEUES.email]: {
    attempts: 5,
    backoff: { type: "exponential", delay: 5000 },
    removeOnComplete,
    removeOnFail,
  },
  [QUEUES.analyticsRollup]: { attempts: 2, removeOnComplete: true, removeOnFail },
  [QUEUES.housekeeping]: { attempts: 2, removeOnComplete: true, removeOnFail },
};

/** One BullMQ queue (producer side) with the platform's prefix and default job options; the api uses this too. */
export function createQueue(
  name: QueueName,
  options: { redis: RedisConnection; prefix: string; status?: ConnectionStatus },
): Queue {
  const queue = new Queue(name, {
    // A producer fails fast when Redis is gone instead of hanging the visitor's request.
    connection: { ...toRedisOptions(options.redis), maxRetriesPerRequest: 1, enableOfflineQueue: false },
    prefix: bullPrefix(options.prefix),
    defaultJobOptions: defaultJobOptions[name],
  });
  // BullMQ forwards its connection's errors here, and prints them to stderr when nobody listens.
  const status = options.status ?? quietConnectionStatus;
  queue.on("error", status.lost);
  void queue.waitUntilReady().then(
    (client) => client.on("ready", status.restored),
    () => {},
  );
  return queue;
}

/**
 * Closes a queue. With Redis unreachable a polite close fails (no offline queue) or waits for Redis to
 * return, and leaves the connection retrying; its connection is dropped instead.
 */
export async function closeQueue(queue: Queue): Promise<void> {
  const client = await queue.client;
  if (client.status === "ready") await queue.close();
  else client.disconnect();
}

/** The parts of a BullMQ job a processor reads; a Job fits, and tests can pass a plain object. */
export interface JobAttempt {
  data: unknown;
  /** Attempts already finished before this one. */
  attemptsMade: number;
  /** When the job was enqueued (ms). */
  timestamp: number;
  opts: { attempts?: number | undefined };
}

/** True when the running attempt is the job's last: a retryable failure now has to be recorded as final. */
export function isFinalAttempt(attemptsMade: number, attempts: number | undefined): boolean {
  return attemptsMade + 1 >= (attempts ?? 1);
}
