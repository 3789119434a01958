import { type Metrics, runJob } from "@avatar-chat/telemetry";
import type { Job } from "bullmq";

/**
 * Runs one attempt of a job under its origin (request id, trace) and records how long it waited in its
 * queue and how long it ran, by outcome.
 */
export function observeJob<T>(
  metrics: Metrics | undefined,
  queue: string,
  job: Job,
  fn: () => Promise<T>,
): Promise<T> {
  return runJob(queue, job, async () => {
    if (!metrics) return fn();
    const started = Date.now();
    // A delayed job (backoff, a tenant's turn) waits from when it became due.
    metrics.jobs.wait.observe({ queue }, Math.max(0, started - job.timestamp - (job.delay ?? 0)) / 1000);
    let outcome = "failed";
    try {
      const result = await fn();
      outcome = "completed";
      return result;
    } finally {
      metrics.jobs.run.observe({ queue, outcome }, (Date.now() - started) / 1000);
    }
  });
}
