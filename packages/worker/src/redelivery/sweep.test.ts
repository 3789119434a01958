import { createProvider } from "@avatar-chat/ai";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { aiReplyJobId, emailJobId, kbIndexJobId, QUEUES } from "@avatar-chat/protocol/jobs";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import { type Queue, Worker } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  addSource,
  attempt,
  memoryStorage,
  randomPrefix,
  type Seeded,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
  until,
} from "../../test/fixtures";
import { processKbIndex } from "../kb-index/process-index";
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
  await deleteKeys(redis, prefix);
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

it("enqueues again a source whose indexing died with the process and whose job Redis lost, under the api's job id", async () => {
  const storage = memoryStorage();
  const sourceId = await addSource(db.kysely, storage, seeded, {
    kind: "text",
    title: "Returns",
    body: "30 days.",
  });
  const requestedAt = secondsAgo(60);
  await db.kysely
    .updateTable("knowledge_sources")
    .set({ updated_at: requestedAt })
    .where("id", "=", sourceId)
    .execute();
  // A worker began indexing it, then its process was killed: the read never ends, and no job is in Redis
  // (a Redis without persistence restarted with the machine).
  const deps = {
    db: db.kysely,
    redis,
    prefix,
    storage: { open: () => new Promise<never>(() => {}) },
    providerFor: () => createProvider({ kind: "offline" }),
    clock,
    logger: silentLogger,
  };
  void processKbIndex(deps, attempt({ tenantId: seeded.tenantId, sourceId }));
  const status = () =>
    db.kysely
      .selectFrom("knowledge_sources")
      .select("status")
      .where("id", "=", sourceId)
      .executeTakeFirstOrThrow();
  await until(status, (row) => row.status === "indexing");

  expect(await redeliver({ db: db.kysely, queues, clock })).toMatchObject({ sources: 1 });
  expect(await queues.kbIndex.getJob(kbIndexJobId(sourceId, requestedAt))).toBeDefined();
  expect(await redeliver({ db: db.kysely, queues, clock })).toMatchObject({ sources: 0 });
});
