export { processAiReply, type ReplyDeps, type ReplyOutcome, streamedKey } from "./ai-reply/process-reply";
export { replyMessageId } from "./ai-reply/reply-id";
export { isStopRequest, providerBackoffMs, UNAVAILABLE_REPLY } from "./ai-reply/rules";
export { processRollup, rollupDay, rollupDays } from "./analytics/rollup";
export { createWorker, type RunningWorker, type WorkerDeps } from "./create-worker";
export { createEmailSender, type EmailDeps, type MailerConfig } from "./email/send-email";
export { enqueueEmail, enqueueIndex, enqueueReply } from "./enqueue";
export { type FailedJob, listFailedJobs } from "./failed-jobs";
export { type IndexDeps, processKbIndex, type StorageReader } from "./kb-index/process-index";
export {
  bullPrefix,
  closeQueue,
  createQueue,
  defaultJobOptions,
  type JobAttempt,
  type RedisConnection,
} from "./queues";
export { DEFAULT_REDELIVERY, type RedeliveryOptions, redeliver } from "./redelivery/sweep";
