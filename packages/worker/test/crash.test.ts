import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel } from "@avatar-chat/protocol";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { replyMessageId } from "../src/ai-reply/reply-id";
import { enqueueReply } from "../src/enqueue";
import { createQueue } from "../src/queues";
import {
  addUserMessage,
  channelEvents,
  eventsOf,
  randomPrefix,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
  until,
} from "./fixtures";

const here = path.dirname(new URL(import.meta.url).pathname);
const REPLY = Array.from({ length: 80 }, (_, i) => `part${i}`).join(" ");

let db: TestDatabase;
let redis: Redis;
let server: OpenAITestServer;
const prefix = randomPrefix();
const queue = createQueue(QUEUES.aiReply, { redis: TEST_REDIS_URL, prefix });
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = testRedis();
  server = await startOpenAIServer({ apiKey: "sk-test", behaviour: { reply: REPLY, tokenDelayMs: 40 } });
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await queue.close();
  await server.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await db.drop();
});

/** A worker in its own process (the same Node as vitest, with tsx), resolved once it takes jobs. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "run-worker.ts")], {
    cwd: path.resolve(here, ".."),
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      PREFIX: prefix,
      OPENAI_BASE_URL: server.url,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

it("recovers a reply whose worker was killed mid-stream: one stored message, a discarded partial, a full stream", async () => {
  const seeded = await seedConversation(db.kysely);
  const messageId = await addUserMessage(db.kysely, seeded, "Tell me everything");
  const replyId = replyMessageId(messageId);
  const channel = conversationChannel(seeded.conversationId);

  const first = await startWorkerProcess();
  await enqueueReply(queue, { ...seeded, messageId });
  await until(
    () => channelEvents(redis, channel, prefix),
    (events) => eventsOf(events, "message.delta").length >= 5,
  );
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));

  await startWorkerProcess();
  const events = await until(
    () => channelEvents(redis, channel, prefix),
    (list) => eventsOf(list, "message.complete").length > 0,
    60_000,
  );

  const discardedAt = events.findIndex((e) => e.type === "message.discarded");
  expect(events[discardedAt]).toMatchObject({ messageId: replyId, reason: "retry" });
  const partial = eventsOf(events.slice(0, discardedAt), "message.delta");
  const full = eventsOf(events.slice(discardedAt + 1), "message.delta");
  expect(partial.length).toBeGreaterThanOrEqual(5);
  expect(partial.length).toBeLessThan(80);
  expect(full.map((d) => d.index)).toEqual(full.map((_, i) => i));
  expect(full.map((d) => d.delta).join("")).toBe(REPLY);

  const stored = await db.kysely
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", seeded.conversationId)
    .where("role", "=", "assistant")
    .execute();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ id: replyId, content: REPLY, status: "complete" });
  expect(eventsOf(events, "message.complete")).toHaveLength(1);
}, 90_000);
