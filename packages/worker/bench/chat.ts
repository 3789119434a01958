import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createProvider } from "@avatar-chat/ai";
import { localServerAccess, startOpenAIServer } from "@avatar-chat/ai/testing";
import { withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { channelKeys } from "@avatar-chat/protocol";
import { QUEUES } from "@avatar-chat/protocol/jobs";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { inSpan, SpanKind, silentLogger, startTracing } from "@avatar-chat/telemetry";
import { type Figures, figure, percentile, type Suite } from "../../../bench/figures";
import { createWorker } from "../src/create-worker";
import { enqueueReply } from "../src/enqueue";
import { processKbIndex } from "../src/kb-index/process-index";
import { createQueue } from "../src/queues";
import {
  addSource,
  attempt,
  memoryStorage,
  randomPrefix,
  seedConversation,
  TEST_REDIS_URL,
  testRedis,
} from "../test/fixtures";

const WARMUP = 30;
const RUNS = 300;
/** Alternating blocks of turns with tracing off and on. */
const BLOCKS = 5;
const QUESTION = "When do you open?";

/**
 * Platform overhead of a chat turn with an instant local model server: from "visitor sends" (message row
 * inserted and job enqueued, as the api does) to the first message.delta received by a Redis subscriber
 * of the conversation channel. Baseline: the same model server's first token called directly.
 */
const suite: Suite = {
  name: "chat",
  measures: ["packages/worker", "packages/api", "packages/ai", "packages/realtime", "packages/db"],
  async run(): Promise<Figures> {
    const db = await createTestDatabase();
    const redis = testRedis();
    const subscriber = testRedis();
    const prefix = randomPrefix();
    const server = await startOpenAIServer({
      behaviour: { instant: true, reply: "Opening hours are 9 to 6 [1]." },
    });
    const provider = createProvider(
      {
        kind: "openai",
        baseUrl: server.url,
        apiKey: "sk-bench",
        chatModel: "test-chat",
        embeddingModel: "test-embed",
      },
      localServerAccess,
    );
    const storage = memoryStorage();
    const queue = createQueue(QUEUES.aiReply, { redis: TEST_REDIS_URL, prefix });
    const worker = createWorker({
      db: db.kysely,
      redis: TEST_REDIS_URL,
      prefix,
      storage,
      providerFor: () => provider,
      rollupEveryMs: null,
    });
    try {
      const first = await seedConversation(db.kysely);
      const sourceId = await addSource(db.kysely, storage, first, {
        kind: "text",
        title: "Hours",
        body: "The store opens at 9am and closes at 6pm on weekdays.",
      });
      await processKbIndex(
        {
          db: db.kysely,
          redis,
          prefix,
          storage,
          providerFor: () => provider,
          clock: () => new Date(),
          logger: silentLogger,
        },
        attempt({ tenantId: first.tenantId, sourceId }),
      );
      // A warm-up, then each turn twice: with tracing off (the default) and on.
      const conversations = await Promise.all(
        Array.from({ length: WARMUP + 2 * RUNS }, async () => {
          const row = await db.kysely
            .insertInto("conversations")
            .values({ tenant_id: first.tenantId, chatbot_id: first.chatbotId })
            .returning("id")
            .executeTakeFirstOrThrow();
          return row.id;
        }),
      );
      await worker.waitUntilReady();

      // One pattern subscription; each turn waits for its conversation's first delta, then for its completion.
      const waiting = new Map<string, { delta: () => void; complete: () => void }>();
      await subscriber.psubscribe(`${channelKeys("conv:*", prefix).pubsub}`);
      subscriber.on("pmessage", (_pattern, channel, message) => {
        const conversationId = channel.slice(channel.lastIndexOf("conv:") + 5);
        const waiter = waiting.get(conversationId);
        if (!waiter) return;
        if (message.includes('"type":"message.delta"') && message.includes('"index":0')) waiter.delta();
        if (message.includes('"type":"message.complete"')) waiter.complete();
      });

      const turns = async (
        ids: string[],
        send: (enqueue: () => Promise<void>) => Promise<void>,
        skip = 0,
      ) => {
        const overhead: number[] = [];
        for (const [i, conversationId] of ids.entries()) {
          const firstDelta = signal();
          const completed = signal();
          waiting.set(conversationId, { delta: firstDelta.fire, complete: completed.fire });
          const started = performance.now();
          const message = await withTenant(db.kysely, first.tenantId, async (tx) => {
            const row = await tx
              .insertInto("messages")
              .values({
                tenant_id: first.tenantId,
                conversation_id: conversationId,
                role: "user",
                content: QUESTION,
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            await tx
              .updateTable("conversations")
              .set((eb) => ({ message_count: eb("message_count", "+", 1), last_message_at: new Date() }))
              .where("id", "=", conversationId)
              .execute();
            return row;
          });
          await send(() =>
            enqueueReply(queue, {
              tenantId: first.tenantId,
              conversationId,
              messageId: message.id,
              question: QUESTION,
            }),
          );
          await firstDelta.fired;
          if (i >= skip) overhead.push(performance.now() - started);
          await completed.fired;
          waiting.delete(conversationId);
        }
        return overhead;
      };
      // Tracing off and on in alternating blocks (the machine's load drifts), after one warm-up block off;
      // on: spans exported over OTLP/HTTP to a local sink, each send the server span of a request.
      const sink = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end("{}")));
      await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
      const overhead = await turns(conversations.slice(0, WARMUP), (enqueue) => enqueue(), WARMUP);
      const traced: number[] = [];
      for (let block = 0; block < BLOCKS; block++) {
        const ids = conversations.slice(WARMUP + (2 * block * RUNS) / BLOCKS);
        overhead.push(...(await turns(ids.slice(0, RUNS / BLOCKS), (enqueue) => enqueue())));
        const stopTracing = await startTracing("bench-chat");
        traced.push(
          ...(await turns(ids.slice(RUNS / BLOCKS, (2 * RUNS) / BLOCKS), (enqueue) =>
            inSpan("POST conversation.send", { kind: SpanKind.SERVER }, enqueue),
          )),
        );
        await stopTracing();
      }
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      sink.close();
      overhead.sort((a, b) => a - b);
      traced.sort((a, b) => a - b);

      // Baseline: the model server alone, first token of a direct streaming call.
      const direct: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const started = performance.now();
        for await (const event of provider.streamChat([{ role: "user", content: "When do you open?" }])) {
          if (event.type === "delta") {
            if (i >= WARMUP) direct.push(performance.now() - started);
            break;
          }
        }
      }

      direct.sort((a, b) => a - b);
      const tracedNote = `the same ${RUNS} turns with tracing on (OTLP/HTTP to a local sink); baseline: tracing off, same run`;
      const note = `${RUNS} sequential turns after ${WARMUP} warm-up; baseline: the model server's own first token`;
      return {
        "chat.first_token_overhead.p50_ms": figure(
          percentile(overhead, 50),
          "ms",
          `${note} (target < 15 ms)`,
          percentile(direct, 50),
        ),
        "chat.first_token_overhead.p99_ms": figure(
          percentile(overhead, 99),
          "ms",
          `${note} (target < 50 ms)`,
          percentile(direct, 99),
        ),
        "chat.first_token_overhead.traced_p50_ms": figure(
          percentile(traced, 50),
          "ms",
          tracedNote,
          percentile(overhead, 50),
        ),
        "chat.first_token_overhead.traced_p99_ms": figure(
          percentile(traced, 99),
          "ms",
          tracedNote,
          percentile(overhead, 99),
        ),
      };
    } finally {
      await worker.close();
      await queue.close();
      await server.close();
      await deleteKeys(redis, prefix);
      subscriber.disconnect();
      redis.disconnect();
      await db.drop();
    }
  },
};

/** A promise and the function that resolves it. */
function signal(): { fired: Promise<void>; fire: () => void } {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

export default suite;
