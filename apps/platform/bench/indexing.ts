import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { createProvider } from "@avatar-chat/ai";
import { createStorage, startEmbeddedS3 } from "@avatar-chat/api/object-storage";
import { createDb, type Database, migrate } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import { processKbIndex, type StorageReader } from "@avatar-chat/worker";
import { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { type Figures, figure, type Suite } from "../../../bench/figures";

/** The api's default upload cap (MAX_UPLOAD_BYTES): the largest file a tenant can have indexed. */
const CAP_BYTES = 26_214_400;
const IDLE_MS = 10_000;
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A Markdown handbook of `bytes` bytes: headed sections of varied paragraphs, as a real upload would be. */
function handbook(bytes: number): string {
  const words =
    "refund delivery warranty invoice account order parcel return policy customer support payment shipping within working days store product exchange".split(
      " ",
    );
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const section = i % 12 === 0 ? `\n# Chapter ${i / 12 + 1}\n\n` : i % 4 === 0 ? `## Section ${i}\n\n` : "";
    const sentence = (n: number) =>
      `${Array.from({ length: 8 + (n % 9) }, (_, w) => words[(i * 7 + n * 3 + w) % words.length]).join(" ")}.`;
    const paragraph = `${section}Rule ${i}: ${Array.from({ length: 3 + (i % 5) }, (_, n) => sentence(n)).join(" ")}\n\n`;
    parts.push(paragraph);
    size += paragraph.length;
  }
  return parts.join("").slice(0, bytes);
}

/** A tenant, a chatbot and a file source whose object is `key` as the api confirmed it (size, ETag). */
async function seedSource(
  db: Kysely<Database>,
  file: { key: string; size: number; etag: string | null },
): Promise<{ tenantId: string; sourceId: string }> {
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
      persona: "You help visitors of the Acme store.",
      greeting: "Hi!",
      public_key: `pk_${randomBytes(8).toString("hex")}`,
      avatar: JSON.stringify({ kind: "default" }),
      theme: JSON.stringify({}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const sourceId = randomUUID();
  await db
    .insertInto("knowledge_sources")
    .values({
      id: sourceId,
      tenant_id: tenant.id,
      chatbot_id: chatbot.id,
      kind: "file",
      title: "handbook.md",
      storage_key: file.key,
      content_type: "text/markdown",
      size_bytes: file.size,
      checksum: file.etag,
    })
    .execute();
  return { tenantId: tenant.id, sourceId };
}

interface Run {
  delay: IntervalHistogram;
  idle: IntervalHistogram;
  /** The main thread's own CPU time in its longest stretch without a timer turn, while indexing and idle. */
  busy: { indexing: number; idle: number };
  seconds: number;
  chunks: number;
}

/**
 * Of each stretch between two turns of a 5 ms timer, the CPU time the main thread itself spent: a stall
 * the process's own code held, as opposed to one where the thread was runnable but the machine's other
 * processes had the cores. Returns a stop function giving the longest, in ms.
 */
function watchBusyStalls(): () => number {
  let longest = 0;
  let last = process.threadCpuUsage();
  const timer = setInterval(() => {
    const now = process.threadCpuUsage();
    longest = Math.max(longest, (now.user - last.user + now.system - last.system) / 1000);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return longest;
  };
}

/** The idle process's event-loop delay for IDLE_MS, then the delay while the source indexes. */
async function measure(
  db: Kysely<Database>,
  storage: StorageReader,
  key: string,
  size: number,
  etag: string | null,
): Promise<Run> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench${randomBytes(4).toString("hex")}:`;
  try {
    const { tenantId, sourceId } = await seedSource(db, { key, size, etag });
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    const idleBusy = watchBusyStalls();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    idle.disable();
    const busy = { idle: idleBusy(), indexing: 0 };
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const indexingBusy = watchBusyStalls();
    const started = performance.now();
    const outcome = await processKbIndex(
      {
        db,
        redis,
        prefix,
        storage,
        providerFor: () => createProvider({ kind: "offline" }),
        clock: () => new Date(),
        logger: silentLogger,
      },
      { data: { tenantId, sourceId }, attemptsMade: 0, timestamp: Date.now(), opts: { attempts: 1 } },
    );
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    busy.indexing = indexingBusy();
    if (outcome !== "ready") throw new Error(`indexing ended ${outcome}`);
    const { chunk_count } = await db
      .selectFrom("knowledge_sources")
      .select("chunk_count")
      .where("id", "=", sourceId)
      .executeTakeFirstOrThrow();
    return { delay, idle, busy, seconds, chunks: chunk_count };
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

/**
 * The longest event-loop stall while a file at the upload cap indexes in the all-in-one process (offline
 * embeddings): the file read from the embedded S3 server in this process through the S3 client, then
 * stored in PostgreSQL, and again in PGlite on disk as embedded mode runs it (in this process). Everything
 * else in the process (health checks, visitors' chats, realtime) waits at most this long. Goal: under
 * 100 ms. Baseline: the idle process's longest stall over IDLE_MS just before each run (the machine's noise).
 */
const suite: Suite = {
  name: "indexing",
  measures: [
    "packages/worker",
    "packages/ai",
    "packages/db",
    "packages/api/src/storage.ts",
    "packages/api/src/embedded-s3",
  ],
  async run(): Promise<Figures> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-indexing-"));
    const s3 = await startEmbeddedS3({
      directory: path.join(dir, "s3"),
      bucket: "bench",
      allowedOrigins: [],
      secretAccessKey: randomBytes(16).toString("hex"),
    });
    let postgres: TestDatabase | undefined;
    let pglite: Awaited<ReturnType<typeof createDb>> | undefined;
    try {
      const storage = createStorage(s3.config);
      await storage.ensureBucket();
      const key = "kb/handbook.md";
      await storage.put(key, handbook(CAP_BYTES), "text/markdown");
      const head = await storage.head(key);
      if (!head) throw new Error("the handbook was not stored");

      postgres = await createTestDatabase();
      const onPostgres = await measure(postgres.kysely, storage, key, head.size, head.etag);
      await postgres.drop();
      postgres = undefined;

      pglite = await createDb({ dataDir: path.join(dir, "pglite") });
      await migrate(pglite.kysely);
      const onPglite = await measure(pglite.kysely, storage, key, head.size, head.etag);

      const ms = (ns: number) => ns / 1e6;
      const figures = (name: string, what: string, run: Run): Figures => ({
        [`indexing.${name}_max_stall_ms`]: figure(
          ms(run.delay.max),
          "ms",
          `longest event-loop stall while a ${CAP_BYTES}-byte Markdown file indexes (${run.chunks} chunks, offline embeddings, read through S3 from the embedded store, ${what}); goal < 100 ms; baseline: the idle process's longest stall over ${IDLE_MS / 1000} s just before`,
          ms(run.idle.max),
        ),
        [`indexing.${name}_p99_stall_ms`]: figure(
          ms(run.delay.percentile(99)),
          "ms",
          "p99 event-loop delay during the same run; baseline: the idle process's p99",
          ms(run.idle.percentile(99)),
        ),
        [`indexing.${name}_max_busy_stall_ms`]: figure(
          run.busy.indexing,
          "ms",
          "of the same run's stretches between two turns of a 5 ms timer, the most CPU time the main thread itself spent in one: the part of a stall this process's code held (the rest of a stall is the thread waiting for a core the machine's other processes had); baseline: the same while idle",
          run.busy.idle,
        ),
        [`indexing.${name}_seconds`]: figure(run.seconds, "s", "wall time to index that file"),
      });
      return {
        ...figures("cap_file", "PostgreSQL", onPostgres),
        ...figures("cap_file_pglite", "PGlite on disk in the same process, as embedded mode runs", onPglite),
      };
    } finally {
      await postgres?.drop();
      await pglite?.close();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
