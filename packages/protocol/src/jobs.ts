import { z } from "zod";

// Queue names and job payloads shared by the api (producer) and the worker (consumer).
export const QUEUES = {
  aiReply: "ai-reply",
  kbIndex: "kb-index",
  analyticsRollup: "analytics-rollup",
  email: "email",
  housekeeping: "housekeeping",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * The request that enqueued a job: its id (for the worker's log lines) and W3C trace context (so the job's
 * span continues the request's trace). Absent for work the worker enqueues itself (sweeps, schedules).
 */
export const jobOrigin = z
  .object({
    requestId: z.string().max(128).optional(),
    traceparent: z.string().max(64).optional(),
    tracestate: z.string().max(512).optional(),
  })
  .optional();

export const aiReplyJob = z.object({
  tenantId: z.uuid(),
  conversationId: z.uuid(),
  /** The visitor's message this job answers. */
  messageId: z.uuid(),
  /** That message's text, so the worker embeds it while the context loads (absent: read with the context). */
  question: z.string().max(20_000).optional(),
  /** The visitor has voice on: the worker speaks the answer sentence by sentence (absent: text only). */
  voice: z.boolean().optional(),
  origin: jobOrigin,
});
export type AiReplyJob = z.infer<typeof aiReplyJob>;

export const kbIndexJob = z.object({
  tenantId: z.uuid(),
  sourceId: z.uuid(),
  origin: jobOrigin,
});
export type KbIndexJob = z.infer<typeof kbIndexJob>;

export const emailJob = z.object({ outboxId: z.uuid(), origin: jobOrigin });
export type EmailJob = z.infer<typeof emailJob>;

export const analyticsRollupJob = z.object({
  /** Fold events of this UTC day (YYYY-MM-DD); absent: today and yesterday. */
  day: z.iso.date().optional(),
});
export type AnalyticsRollupJob = z.infer<typeof analyticsRollupJob>;

// Job ids derive from the thing the job is about, so a retried enqueue never makes a second job.
// BullMQ refuses ':' in custom ids.
export const aiReplyJobId = (messageId: string) => `reply-${messageId}`;
/** `requestedAt` lets a re-index after a finished run enqueue again while duplicate clicks still collapse. */
export const kbIndexJobId = (sourceId: string, requestedAt: Date) =>
  `index-${sourceId}-${requestedAt.getTime()}`;
export const emailJobId = (outboxId: string) => `email-${outboxId}`;

/** Redis key (under the deployment prefix) that asks the worker to stop generating a reply. */
export const stopReplyKey = (prefix: string, conversationId: string) => `${prefix}stop:${conversationId}`;
/**
 * Value to SET at stopReplyKey (with a short EX, e.g. 60 s): the press time in ms. The worker stops only replies
 * whose job was enqueued before it, so a late or repeated press never stops the visitor's next question.
 */
export const stopReplyValue = (pressedAt: Date) => String(pressedAt.getTime());
