import type { Logger } from "@avatar-chat/telemetry";

/**
 * Runs `work` and warns once if it is still running after `slowMs`: a job stuck on a hung dependency
 * keeps its lock alive (so BullMQ never calls it stalled) and would otherwise stay silent.
 */
export async function warnIfSlow<T>(
  logger: Logger,
  slowMs: number,
  job: { queue: string; id: string | undefined },
  work: () => Promise<T>,
): Promise<T> {
  const timer = setTimeout(
    () => logger.warn({ jobId: job.id, ms: slowMs }, `${job.queue}: job still running`),
    slowMs,
  );
  try {
    return await work();
  } finally {
    clearTimeout(timer);
  }
}
