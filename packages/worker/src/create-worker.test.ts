import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel } from "@avatar-chat/protocol";
import { aiReplyJobId, QUEUES } from "@avatar-chat/protocol/jobs";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  addUserMessage,
  channelEvents,
  eventsOf,
  memoryStorage,
  randomPrefix,
  type Seeded,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
  testServerProvider,
  until,
} from "../test/fixtures";
import { createWorker, type WorkerDeps } from "./create-worker";
import { enqueueReply } from "./enqueue";
import { createQueue } from "./queues";
import { createTenantTurns } from "./tenant-turns";

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
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await db.drop();
});

/** A worker on this file's database, Redis prefix and model server, plus what a test sets. */
function startWorker(settings: Partial<WorkerDeps>) {
  const provider = testServerProvider(server.url);
  return createWorker({
    db: db.kysely,
    redis: TEST_REDIS_URL,
    prefix,
    storage: memoryStorage(),
    providerFor: () => provider,
    ...settings,
  });
}

it("close() lets a running reply finish before it returns, and schedules the roll-up and housekeeping", async () => {
  const worker = startWorker({ rollupEveryMs: 60_000 });
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

/** Another conversation of the same tenant and chatbot. */
async function anotherConversation(seeded: Seeded): Promise<Seeded> {
  const { id } = await db.kysely
    .insertInto("conversations")
    .values({ tenant_id: seeded.tenantId, chatbot_id: seeded.chatbotId })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { ...seeded, conversationId: id };
}

it("runs one tenant's replies in turns while another tenant's reply goes ahead", async () => {
  const worker = startWorker({
    rollupEveryMs: null,
    pruneEveryMs: null,
    concurrency: { [QUEUES.aiReply]: 4 },
    repliesPerTenant: 1,
  });
  await worker.waitUntilReady();
  const busy = await seedConversation(db.kysely);
  const other = await seedConversation(db.kysely);
  const turns = createTenantTurns(redis, prefix, { queue: QUEUES.aiReply, perTenant: 1 });

  // The busy tenant asks three questions at once, then another tenant asks one.
  const busyMessages: string[] = [];
  for (let i = 0; i < 3; i++) {
    const conversation = i === 0 ? busy : await anotherConversation(busy);
    const messageId = await addUserMessage(db.kysely, conversation, `Question ${i}`);
    await enqueueReply(replyQueue, { ...conversation, messageId });
    busyMessages.push(messageId);
  }
  const otherMessage = await addUserMessage(db.kysely, other, "Mine is quick");
  await enqueueReply(replyQueue, { ...other, messageId: otherMessage });

  let mostAtOnce = 0;
  const replyOf = (messageId: string) =>
    db.kysely
      .selectFrom("messages")
      .select("created_at")
      .where("reply_to", "=", messageId)
      .executeTakeFirst();
  const stored = await until(
    async () => {
      mostAtOnce = Math.max(mostAtOnce, await turns.running(busy.tenantId));
      return Promise.all([...busyMessages, otherMessage].map(replyOf));
    },
    (replies) => replies.every(Boolean),
    30_000,
  );
  await worker.close();

  expect(mostAtOnce).toBe(1);
  // The other tenant did not wait for the busy tenant's queue to drain.
  expect(stored[3]!.created_at.getTime()).toBeLessThan(stored[2]!.created_at.getTime());
  for (const messageId of [...busyMessages, otherMessage]) {
    const job = await replyQueue.getJob(aiReplyJobId(messageId));
    // Waiting for a turn is not an attempt: each reply took exactly one.
    expect([await job?.getState(), job?.attemptsMade, job?.failedReason]).toEqual([
      "completed",
      1,
      undefined,
    ]);
  }
  expect(await turns.running(busy.tenantId)).toBe(0);
});
