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
import type { Queue } from "bullmq";

// Producer steps, shared by the api and the benches. Job ids derive from the thing the job is about,
// so an enqueue retried by a client never makes a second job.

/** After the visitor's message row is stored: ask for the assistant's reply. */
export async function enqueueReply(queue: Queue, job: AiReplyJob): Promise<void> {
  const data = aiReplyJob.parse(job);
  await queue.add("reply", data, { jobId: aiReplyJobId(data.messageId) });
}

/** (Re)index a knowledge source; the request time in the id lets a later re-index run again. */
export async function enqueueIndex(queue: Queue, job: KbIndexJob, requestedAt: Date): Promise<void> {
  const data = kbIndexJob.parse(job);
  await queue.add("index", data, { jobId: kbIndexJobId(data.sourceId, requestedAt) });
}

/** Send one outbox row; a failed enqueue leaves the row pending and readable. */
export async function enqueueEmail(queue: Queue, job: EmailJob): Promise<void> {
  const data = emailJob.parse(job);
  await queue.add("send", data, { jobId: emailJobId(data.outboxId) });
}
