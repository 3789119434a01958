import { type AiReplyJob, aiReplyJob, aiReplyJobId } from "@avatar-chat/protocol/jobs";
import type { Queue } from "bullmq";

/**
 * The producer step after the visitor's message row is stored (the api's send and the chat bench share it).
 * The job id derives from the message, so an enqueue retried by a client never makes a second job.
 */
export async function enqueueReply(queue: Queue, job: AiReplyJob): Promise<void> {
  const data = aiReplyJob.parse(job);
  await queue.add("reply", data, { jobId: aiReplyJobId(data.messageId) });
}
