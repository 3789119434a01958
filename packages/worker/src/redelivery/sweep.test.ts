import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { aiReplyJobId, emailJobId, QUEUES } from "@avatar-chat/protocol/jobs";
import { type Queue, Worker } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  dropPrefix,
  randomPrefix,
  type Seeded,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
} from "../../test/fixtures";
import { bullConnection, bullPrefix, createQueue } from "../queues";
import { redeliver } from "./sweep";

// Work stored in PostgreSQL whose job never reached Redis (or was lost by it, or ran out of attempts
// during an outage) is enqueued again under the job id the api would have used.
let db: TestDatabase;
const prefix = randomPrefix();
const redis = testRedis();
let queues: { aiReply: Queue; kbIndex: Queue; email: Queue };
let seeded: Seeded;
const now = new Date();
const clock = () => now;
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

beforeAll(async () => {
  db = await createTestDatabase();
  const options = { redis: TEST_REDIS_URL, prefix };
  queues = {
    aiReply: createQueue(QUEUES.aiReply, options),
    kbIndex: createQueue(QUEUES.kbIndex, options),
    email: createQueue(QUEUES.email, options),
  };
  seeded = await seedConversation(db.kysely);
});
afterAll(async () => {
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

const message = (role: "user" | "assistant" | "agent", at: Date, replyTo?: string) =>
  db.kysely
    .insertInto("messages")
    .values({
      tenant_id: seeded.tenantId,
      conversation_id: seeded.conversationId,
      role,
      content: `${role} at ${at.toISOString()}`,
      citations: "[]",
      created_at: at,
      ...(replyTo ? { reply_to: replyTo } : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();

it("enqueues an unanswered visitor message and pending email once, and retries a job whose attempts ran out", async () => {
  const answered = await message("user", secondsAgo(60));
  await message("assistant", secondsAgo(59), answered.id);
  const unanswered = await message("user", secondsAgo(30));
  await message("user", secondsAgo(1)); // still being enqueued by its own request
  const email = await db.kysely
    .insertInto("email_outbox")
    .values({
      tenant_id: seeded.tenantId,
      kind: "test",
      to_address: "a@b.test",
      subject: "s",
      text_body: "t",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.kysely
    .updateTable("email_outbox")
    .set({ created_at: secondsAgo(30) } as never)
    .where("id", "=", email.id)
    .execute();

  expect(await redeliver({ db: db.kysely, queues, clock })).toEqual({ replies: 1, sources: 0, emails: 1 });
  const job = await queues.aiReply.getJob(aiReplyJobId(unanswered.id));
  expect(job?.data).toMatchObject({ messageId: unanswered.id, conversationId: seeded.conversationId });
  expect(await queues.email.getJob(emailJobId(email.id))).toBeDefined();
  // The jobs exist now: nothing to do.
  expect(await redeliver({ db: db.kysely, queues, clock })).toEqual({ replies: 0, sources: 0, emails: 0 });

  // Its attempts ran out while the database was away: retried with fresh attempts.
  const taker = new Worker(QUEUES.aiReply, null, {
    connection: bullConnection(TEST_REDIS_URL),
    prefix: bullPrefix(prefix),
  });
  const active = await taker.getNextJob("token");
  active!.discard(); // no attempt left: straight to failed
  await active!.moveToFailed(new Error("Connection terminated unexpectedly"), "token", false);
  await taker.close();
  expect(await job!.isFailed()).toBe(true);
  expect(await redeliver({ db: db.kysely, queues, clock })).toEqual({ replies: 1, sources: 0, emails: 0 });
  expect(await (await queues.aiReply.getJob(aiReplyJobId(unanswered.id)))!.isWaiting()).toBe(true);
});

it("leaves a message alone once an agent answered after it or took the conversation over", async () => {
  await db.kysely.deleteFrom("messages").execute();
  await message("user", secondsAgo(40));
  await message("agent", secondsAgo(35));
  expect((await redeliver({ db: db.kysely, queues, clock })).replies).toBe(0);
  await message("user", secondsAgo(20));
  await db.kysely.updateTable("conversations").set({ handoff: "agent" }).execute();
  expect((await redeliver({ db: db.kysely, queues, clock })).replies).toBe(0);
});
