// What a producer (the api, the benches) needs to enqueue jobs, without the worker's consumers:
// `@avatar-chat/worker/producer` loads no job processor, AI code or mailer.
export { enqueueEmail, enqueueIndex, enqueueReply } from "./enqueue";
export {
  bullPrefix,
  closeQueue,
  createQueue,
  defaultJobOptions,
  type JobAttempt,
  type RedisConnection,
} from "./queues";
