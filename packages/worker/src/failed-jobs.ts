import type { Queue } from "bullmq";

export interface FailedJob {
  queue: string;
  id: string;
  name: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  failedAt: string | null;
}

/**
 * The dead-letter view: jobs that used up their attempts or failed for good, newest first. They stay in
 * BullMQ's failed set (`removeOnFail: { count: 1000 }` per queue) until retried or trimmed.
 */
export async function listFailedJobs(
  queues: readonly Queue[],
  options: { limit?: number } = {},
): Promise<FailedJob[]> {
  const limit = options.limit ?? 100;
  const perQueue = await Promise.all(
    queues.map(async (queue) =>
      (await queue.getFailed(0, limit - 1)).map((job) => ({
        queue: queue.name,
        id: job.id ?? "",
        name: job.name,
        data: job.data as unknown,
        failedReason: job.failedReason ?? "",
        attemptsMade: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      })),
    ),
  );
  return perQueue
    .flat()
    .sort((a, b) => (b.failedAt ?? "").localeCompare(a.failedAt ?? ""))
    .slice(0, limit);
}
