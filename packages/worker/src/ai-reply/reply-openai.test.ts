import type { Provider } from "@avatar-chat/ai";
import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel } from "@avatar-chat/protocol";
import { aiReplyJobId, QUEUES } from "@avatar-chat/protocol/jobs";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addUserMessage,
  channelEvents,
  eventsOf,
  memoryStorage,
  randomPrefix,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
  testServerProvider,
} from "../../test/fixtures";
import { createWorker, type RunningWorker } from "../create-worker";
import { enqueueReply } from "../enqueue";
import { listFailedJobs } from "../failed-jobs";
import { bullPrefix, createQueue } from "../queues";
import { replyMessageId } from "./reply-id";
import { UNAVAILABLE_REPLY } from "./rules";

const REPLY = "Our support team answers within one business day. [[happy]] Write to help@acme.test any time.";

let db: TestDatabase;
let redis: Redis;
let server: OpenAITestServer;
let cutServer: OpenAITestServer;
let worker: RunningWorker;
const prefix = randomPrefix();
const queue = createQueue(QUEUES.aiReply, { redis: TEST_REDIS_URL, prefix });
const queueEvents = new QueueEvents(QUEUES.aiReply, {
  connection: { url: TEST_REDIS_URL },
  prefix: bullPrefix(prefix),
});
/** Chosen per test; called once per job attempt. */
let providerFor: () => Provider;

const openai = testServerProvider;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = testRedis();
  server = await startOpenAIServer({ apiKey: "sk-test", behaviour: { reply: REPLY } });
  cutServer = await startOpenAIServer({ apiKey: "sk-test", behaviour: { reply: REPLY, cutAfterChunks: 6 } });
  worker = createWorker({
    db: db.kysely,
    redis: TEST_REDIS_URL,
    prefix,
    storage: memoryStorage(),
    providerFor: () => providerFor(),
    rollupEveryMs: null,
  });
  await Promise.all([worker.waitUntilReady(), queueEvents.waitUntilReady()]);
});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await queueEvents.close();
  await Promise.all([server.close(), cutServer.close()]);
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await db.drop();
});

async function ask(question: string) {
  const seeded = await seedConversation(db.kysely);
  const messageId = await addUserMessage(db.kysely, seeded, question);
  // As the api enqueues it: with the question, so its embedding overlaps the context read.
  await enqueueReply(queue, { ...seeded, messageId, question });
  const job = (await queue.getJob(aiReplyJobId(messageId)))!;
  return { seeded, messageId, job, replyId: replyMessageId(messageId) };
}

async function assistantMessages(conversationId: string) {
  return db.kysely
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", conversationId)
    .where("role", "=", "assistant")
    .execute();
}

describe("ai-reply with an OpenAI-compatible provider", () => {
  it("retries a 429 and then answers", async () => {
    providerFor = () => openai(server.url);
    server.setBehaviour({ reply: REPLY, fail: { status: 429, retryAfter: "0", failTimes: 1 } });
    const { seeded, job } = await ask("How fast is support?");
    expect(await job.waitUntilFinished(queueEvents)).toBe("complete");
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(2);
    const [reply] = await assistantMessages(seeded.conversationId);
    // The cue tag is an avatar.cue event, never text.
    expect(reply?.content).toBe(
      "Our support team answers within one business day.  Write to help@acme.test any time.",
    );
    const events = await channelEvents(redis, conversationChannel(seeded.conversationId), prefix);
    expect(eventsOf(events, "avatar.cue").map((c) => c.cue)).toEqual([
      "speaking.start",
      "happy",
      "speaking.stop",
    ]);
  });

  it("does not retry a 401: stores an 'unavailable' reply, publishes an error and keeps the job in the failed set", async () => {
    providerFor = () => openai(server.url, "sk-wrong");
    server.setBehaviour({ reply: REPLY });
    const { seeded, job, replyId } = await ask("Are you there?");
    await expect(job.waitUntilFinished(queueEvents)).rejects.toThrow(/401/);
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);

    const [reply] = await assistantMessages(seeded.conversationId);
    expect(reply).toMatchObject({ id: replyId, status: "failed", content: UNAVAILABLE_REPLY });
    const events = await channelEvents(redis, conversationChannel(seeded.conversationId), prefix);
    expect(eventsOf(events, "error")).toEqual([
      { type: "error", code: "provider_auth", message: UNAVAILABLE_REPLY },
    ]);
    expect(eventsOf(events, "message.complete")[0]?.message.id).toBe(replyId);

    const failed = await listFailedJobs([queue]);
    expect(failed).toContainEqual(
      expect.objectContaining({ queue: "ai-reply", id: job.id, failedReason: expect.stringMatching(/401/) }),
    );
  });

  it("discards a stream cut mid-way and regenerates the whole reply under the same id", async () => {
    let attempts = 0;
    providerFor = () => (attempts++ === 0 ? openai(cutServer.url) : openai(server.url));
    server.setBehaviour({ reply: REPLY });
    const { seeded, job, replyId } = await ask("How fast is support?");
    expect(await job.waitUntilFinished(queueEvents)).toBe("complete");
    expect(attempts).toBe(2);

    const events = await channelEvents(redis, conversationChannel(seeded.conversationId), prefix);
    const discardedAt = events.findIndex((e) => e.type === "message.discarded");
    expect(events[discardedAt]).toMatchObject({ messageId: replyId, reason: "error" });
    const before = eventsOf(events.slice(0, discardedAt), "message.delta");
    const after = eventsOf(events.slice(discardedAt + 1), "message.delta");
    expect(before.length).toBeGreaterThan(0);
    expect(after[0]?.index).toBe(0);
    const [reply] = await assistantMessages(seeded.conversationId);
    expect(after.map((d) => d.delta).join("")).toBe(reply?.content);
    expect(reply?.id).toBe(replyId);
    expect(eventsOf(events, "message.complete")).toHaveLength(1);
  });

  it("sends the recent history, oldest first, before the question", async () => {
    providerFor = () => openai(server.url);
    server.setBehaviour({ reply: REPLY });
    const seeded = await seedConversation(db.kysely);
    await addUserMessage(db.kysely, seeded, "Do you ship to Norway?");
    await db.kysely
      .insertInto("messages")
      .values({
        tenant_id: seeded.tenantId,
        conversation_id: seeded.conversationId,
        role: "agent",
        content: "Yes, in 5 days.",
      })
      .execute();
    const messageId = await addUserMessage(db.kysely, seeded, "And to Iceland?");
    await enqueueReply(queue, { ...seeded, messageId });
    expect(await (await queue.getJob(aiReplyJobId(messageId)))?.waitUntilFinished(queueEvents)).toBe(
      "complete",
    );
    const chat = server.requests.filter((r) => r.path === "/v1/chat/completions").at(-1);
    const sent = (chat?.body as { messages: { role: string; content: string }[] }).messages;
    // buildPrompt (packages/ai) owns the layout; the worker owns which turns go in and their order.
    expect(sent[0]?.role).toBe("system");
    expect(sent.slice(1, 3)).toEqual([
      { role: "user", content: "Do you ship to Norway?" },
      { role: "assistant", content: "Yes, in 5 days." },
    ]);
    expect(sent.at(-1)).toEqual({ role: "user", content: "And to Iceland?" });
  });
});
