import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel } from "@avatar-chat/protocol";
import { aiReplyJobId, QUEUES } from "@avatar-chat/protocol/jobs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  addUserMessage,
  channelEvents,
  dropPrefix,
  eventsOf,
  memoryStorage,
  randomPrefix,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
  testServerProvider,
  until,
} from "../test/fixtures";
import { createWorker } from "./create-worker";
import { enqueueReply } from "./enqueue";
import { createQueue } from "./queues";

let db: TestDatabase;
let redis: Redis;
let server: OpenAITestServer;
const prefix = randomPrefix();
const replyQueue = createQueue(QUEUES.aiReply, { redis: TEST_REDIS_URL, prefix });
const rollupQueue = createQueue(QUEUES.analyticsRollup, { redis: TEST_REDIS_URL, prefix });

beforeAll(async () => {
  db = await createTestDatabase();
  redis = testRedis();
  server = await startOpenAIServer({
    behaviour: { reply: "one two three four five six seven eight nine ten", tokenDelayMs: 30 },
  });
});

afterAll(async () => {
  await replyQueue.close();
  await rollupQueue.close();
  await server.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

it("close() lets a running reply finish before it returns, and schedules the roll-up and housekeeping", async () => {
  const provider = testServerProvider(server.url);
  const worker = createWorker({
    db: db.kysely,
    redis: TEST_REDIS_URL,
    prefix,
    storage: memoryStorage(),
    providerFor: () => provider,
    rollupEveryMs: 60_000,
  });
  await worker.waitUntilReady();
  expect((await rollupQueue.getJobSchedulers()).map((s) => s.key)).toEqual(["analytics-rollup"]);
  const housekeeping = createQueue(QUEUES.housekeeping, { redis: TEST_REDIS_URL, prefix });
  expect(await housekeeping.getJobSchedulers()).toEqual([
    expect.objectContaining({ key: "housekeeping", every: 3_600_000 }),
  ]);
  await housekeeping.close();

  const seeded = await seedConversation(db.kysely);
  const messageId = await addUserMessage(db.kysely, seeded, "Count to ten");
  await enqueueReply(replyQueue, { ...seeded, messageId });
  await until(
    () => channelEvents(redis, conversationChannel(seeded.conversationId), prefix),
    (events) => eventsOf(events, "message.delta").length > 0,
  );
  await worker.close();

  expect(await (await replyQueue.getJob(aiReplyJobId(messageId)))?.getState()).toBe("completed");
  const stored = await db.kysely
    .selectFrom("messages")
    .select(["content", "status"])
    .where("reply_to", "=", messageId)
    .executeTakeFirstOrThrow();
  expect(stored).toEqual({ content: "one two three four five six seven eight nine ten", status: "complete" });
});
