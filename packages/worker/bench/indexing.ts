import { monitorEventLoopDelay } from "node:perf_hooks";
import { createProvider } from "@avatar-chat/ai";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import { type Figures, figure, type Suite } from "../../../bench/figures";
import { processKbIndex } from "../src/kb-index/process-index";
import {
  addSource,
  attempt,
  dropPrefix,
  memoryStorage,
  randomPrefix,
  seedConversation,
  testRedis,
} from "../test/fixtures";

/** The api's default upload cap (MAX_UPLOAD_BYTES): the largest file a tenant can have indexed. */
const CAP_BYTES = 26_214_400;
const IDLE_MS = 10_000;

/** A Markdown handbook of `bytes` bytes: headed sections of varied paragraphs, as a real upload would be. */
function handbook(bytes: number): string {
  const words = [
    "refund",
    "delivery",
    "warranty",
    "invoice",
    "account",
    "order",
    "parcel",
    "return",
    "policy",
    "customer",
    "support",
    "payment",
    "shipping",
    "within",
    "working",
    "days",
    "store",
    "product",
    "exchange",
  ];
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

/**
 * The longest event-loop stall while the worker indexes a file at the upload cap (offline embeddings, real
 * PostgreSQL), measured with `monitorEventLoopDelay`: everything else in the process (health checks,
 * realtime, other jobs) waits at most this long. Goal: under 100 ms. Extraction, chunking and offline
 * embedding run in a worker thread (prepareDocument); what is left here is receiving batches and inserting.
 */
const suite: Suite = {
  name: "indexing",
  measures: ["packages/worker", "packages/ai", "packages/db"],
  async run(): Promise<Figures> {
    const db = await createTestDatabase();
    const redis = testRedis();
    const prefix = randomPrefix();
    const storage = memoryStorage();
    const offline = createProvider({ kind: "offline" });
    try {
      const seeded = await seedConversation(db.kysely);
      const body = handbook(CAP_BYTES);
      const sourceId = await addSource(db.kysely, storage, seeded, {
        kind: "file",
        title: "handbook.md",
        contentType: "text/markdown",
        body,
      });
      // The machine's own noise, in the same run: the longest stall of this process doing nothing.
      const idle = monitorEventLoopDelay({ resolution: 10 });
      idle.enable();
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      idle.disable();
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = performance.now();
      const outcome = await processKbIndex(
        {
          db: db.kysely,
          redis,
          prefix,
          storage,
          providerFor: () => offline,
          clock: () => new Date(),
          logger: silentLogger,
        },
        attempt({ tenantId: seeded.tenantId, sourceId }),
      );
      const seconds = (performance.now() - started) / 1000;
      delay.disable();
      if (outcome !== "ready") throw new Error(`indexing ended ${outcome}`);
      const { chunk_count } = await db.kysely
        .selectFrom("knowledge_sources")
        .select("chunk_count")
        .where("id", "=", sourceId)
        .executeTakeFirstOrThrow();
      const ms = (ns: number) => ns / 1e6;
      return {
        "indexing.cap_file_max_stall_ms": figure(
          ms(delay.max),
          "ms",
          `longest event-loop stall while a ${CAP_BYTES}-byte Markdown file indexes (${chunk_count} chunks, offline embeddings, PostgreSQL); goal < 100 ms; baseline: the longest stall of the idle process over ${IDLE_MS / 1000} s just before (the machine's scheduling noise)`,
          ms(idle.max),
        ),
        "indexing.cap_file_p99_stall_ms": figure(
          ms(delay.percentile(99)),
          "ms",
          "p99 event-loop delay during the same run",
        ),
        "indexing.cap_file_seconds": figure(seconds, "s", "wall time to index that file"),
      };
    } finally {
      await dropPrefix(redis, prefix);
      redis.disconnect();
      await db.drop();
    }
  },
};

export default suite;
