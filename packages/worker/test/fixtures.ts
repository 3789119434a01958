import { randomBytes, randomUUID } from "node:crypto";
import { createProvider, type Provider } from "@avatar-chat/ai";
import { localServerAccess } from "@avatar-chat/ai/testing";
import type { Database } from "@avatar-chat/db";
import {
  conversationChannel,
  type Envelope,
  publishEvent,
  type RealtimeEvent,
  readEventsSince,
} from "@avatar-chat/protocol";
import { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { ObjectRemover } from "../src/housekeeping/prune";
import type { StorageReader } from "../src/kb-index/process-index";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** The OpenAI-compatible provider pointed at a local test server (allowed by the test network policy). */
export function testServerProvider(url: string, apiKey = "sk-test"): Provider {
  return createProvider(
    { kind: "openai", baseUrl: url, apiKey, chatModel: "test-chat", embeddingModel: "test-embed" },
    localServerAccess,
  );
}

/** A fresh key prefix per test file, so files sharing one Redis never see each other's keys. */
export const randomPrefix = () => `t${randomBytes(5).toString("hex")}:`;

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}

/** Deletes every key under the prefix (tests clean up only what they made). */
export interface MemoryStorage extends StorageReader, ObjectRemover {
  put(key: string, bytes: Uint8Array | string): void;
  etag(key: string): string | null;
}

/** Objects in a map; each put is a new version, named by its ETag (`"v1"`, `"v2"`, …) as S3 would. */
export function memoryStorage(): MemoryStorage {
  const objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  let versions = 0;
  return {
    put: (key, bytes) =>
      objects.set(key, {
        bytes: typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes,
        etag: `"v${++versions}"`,
      }),
    etag: (key) => objects.get(key)?.etag ?? null,
    delete: async (key) => {
      objects.delete(key);
    },
    open: async (key, { ifMatch }) => {
      const object = objects.get(key);
      if (!object) return "missing";
      if (ifMatch !== null && ifMatch !== object.etag) return "changed";
      return { body: socketReads(object.bytes), size: object.bytes.byteLength };
    },
  };
}

/** Bytes as an HTTP body arrives: views of 64 KiB. */
function socketReads(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 65_536));
      at += 65_536;
    },
  });
}

export interface Seeded {
  tenantId: string;
  chatbotId: string;
  conversationId: string;
}

export async function seedConversation(
  db: Kysely<Database>,
  options: { persona?: string } = {},
): Promise<Seeded> {
  const tenant = await db
    .insertInto("tenants")
    .values({ name: "Acme", slug: `acme-${randomBytes(4).toString("hex")}` })
    .returning("id")
    .executeTakeFirstOrThrow();
  const chatbot = await db
    .insertInto("chatbots")
    .values({
      tenant_id: tenant.id,
      name: "Helper",
      persona: options.persona ?? "You help visitors of the Acme store.",
      greeting: "Hi! Ask me about Acme.",
      public_key: `pk_${randomBytes(8).toString("hex")}`,
      avatar: JSON.stringify({ kind: "default" }),
      theme: JSON.stringify({}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const conversation = await db
    .insertInto("conversations")
    .values({ tenant_id: tenant.id, chatbot_id: chatbot.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { tenantId: tenant.id, chatbotId: chatbot.id, conversationId: conversation.id };
}

/** What the api does when a visitor sends: store the message (the job is enqueued by the caller). */
export async function addUserMessage(db: Kysely<Database>, seeded: Seeded, content: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto("messages")
    .values({ id, tenant_id: seeded.tenantId, conversation_id: seeded.conversationId, role: "user", content })
    .execute();
  await db
    .updateTable("conversations")
    .set((eb) => ({ message_count: eb("message_count", "+", 1), last_message_at: new Date() }))
    .where("id", "=", seeded.conversationId)
    .execute();
  return id;
}

export async function addSource(
  db: Kysely<Database>,
  storage: MemoryStorage,
  seeded: Pick<Seeded, "tenantId" | "chatbotId">,
  source: {
    kind: "file" | "text" | "url";
    title: string;
    contentType?: string;
    body?: Uint8Array | string;
    url?: string;
  },
): Promise<string> {
  const id = randomUUID();
  const storageKey = source.body === undefined ? null : `kb/${id}`;
  if (storageKey && source.body !== undefined) storage.put(storageKey, source.body);
  await db
    .insertInto("knowledge_sources")
    .values({
      id,
      tenant_id: seeded.tenantId,
      chatbot_id: seeded.chatbotId,
      kind: source.kind,
      title: source.title,
      url: source.url ?? null,
      storage_key: storageKey,
      content_type: source.contentType ?? null,
      // As the api records them: the stored size, and for an upload the ETag `confirmUpload` saw.
      size_bytes: storageKey ? storedSize(source.body!) : 0,
      checksum: storageKey && source.kind === "file" ? storage.etag(storageKey) : null,
    })
    .execute();
  return id;
}

function storedSize(body: Uint8Array | string): number {
  return typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
}

/** A job attempt as BullMQ would hand it to a processor. */
export function attempt(data: unknown, overrides: { attemptsMade?: number; attempts?: number } = {}) {
  return {
    data,
    attemptsMade: overrides.attemptsMade ?? 0,
    timestamp: Date.now(),
    opts: { attempts: overrides.attempts ?? 1 },
  };
}

/** Every event published so far on a channel, in id order. */
export async function channelEvents(redis: Redis, channel: string, prefix: string): Promise<RealtimeEvent[]> {
  const { entries } = await readEventsSince(redis, channel, 0, { prefix });
  return entries.map((entry) => (JSON.parse(entry) as Envelope).event);
}

export function eventsOf<T extends RealtimeEvent["type"]>(
  events: readonly RealtimeEvent[],
  type: T,
): Extract<RealtimeEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RealtimeEvent, { type: T }> => e.type === type);
}

export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Gives a conversation a realtime stream and counter, as the worker leaves them after streaming a reply. */
export function streamConversation(redis: Redis, conversationId: string, prefix: string) {
  return publishEvent(
    redis,
    conversationChannel(conversationId),
    { type: "typing", conversationId, who: "assistant", on: true },
    { prefix },
  );
}
