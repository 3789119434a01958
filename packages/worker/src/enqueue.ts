import {
  type AiReplyJob,
  aiReplyJob,
  aiReplyJobId,
  type EmailJob,
  emailJob,
  emailJobId,
  type KbIndexJob,
  kbIndexJob,
  kbIndexJobId,
} from "@avatar-chat/protocol/jobs";
import { jobOrigin } from "@avatar-chat/telemetry";
import type { Queue } from "bullmq";

// Producer steps, shared by the api and the benches. Job ids derive from the thing the job is about,
// so an enqueue retried by a client never makes a second job.

/** After the visitor's message row is stored: ask for the assistant's reply. */
export async function enqueueReply(queue: Queue, job: AiReplyJob): Promise<void> {
  const data = aiReplyJob.parse({ ...job, origin: jobOrigin() });
  await queue.add("reply", data, { jobId: aiReplyJobId(data.messageId) });
}

/** (Re)index a knowledge source; the request time in the id lets a later re-index run again. */
export async function enqueueIndex(queue: Queue, job: KbIndexJob, requestedAt: Date): Promise<void> {
  const data = kbIndexJob.parse({ ...job, origin: jobOrigin() });
  await queue.add("index", data, { jobId: kbIndexJobId(data.sourceId, requestedAt) });
}

/** Send one outbox row; a failed enqueue leaves the row pending and readable. */
export async function enqueueEmail(queue: Queue, job: EmailJob): Promise<void> {
  const data = emailJob.parse({ ...job, origin: jobOrigin() });
  await queue.add("send", data, { jobId: emailJobId(data.outboxId) });
}

/**
 * Redelivery (redelivery/sweep.ts): enqueues under the same job id unless that job exists, and retries it
 * with fresh attempts when it failed (its attempts ran out while PostgreSQL or Redis was away). A job
 * that is waiting, running or finished is left alone, so sweeping twice changes nothing. True when it
 * enqueued or retried.
 */
async function addOrRetry(queue: Queue, name: string, data: unknown, jobId: string): Promise<boolean> {
  const existing = await queue.getJob(jobId);
  if (!existing) {
    await queue.add(name, data, { jobId });
    return true;
  }
  if (!(await existing.isFailed())) return false;
  await existing.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  return true;
}

export function requeueReply(queue: Queue, job: AiReplyJob): Promise<boolean> {
  const data = aiReplyJob.parse(job);
  return addOrRetry(queue, "reply", data, aiReplyJobId(data.messageId));
}

export function requeueIndex(queue: Queue, job: KbIndexJob, requestedAt: Date): Promise<boolean> {
  const data = kbIndexJob.parse(job);
  return addOrRetry(queue, "index", data, kbIndexJobId(data.sourceId, requestedAt));
}

export function requeueEmail(queue: Queue, job: EmailJob): Promise<boolean> {
  const data = emailJob.parse(job);
  return addOrRetry(queue, "send", data, emailJobId(data.outboxId));
}
