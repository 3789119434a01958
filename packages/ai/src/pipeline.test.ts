import { withTenant } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt } from "./prompt/build-prompt";
import { citationsFrom } from "./prompt/citations";
import { createCueStripper } from "./prompt/cues";
import { createProvider } from "./provider/create-provider";
import type { Provider } from "./provider/types";
import { hybridSearch } from "./retrieval/hybrid-search";
import { localServerAccess } from "./testing/local-access";
import { startOpenAIServer } from "./testing/openai-server";
import { measureOfflineAnswers } from "./testing/recall";
import { type SeededCorpus, seedCorpus } from "./testing/seed-corpus";

// The worker's answer path, end to end: embed → hybrid search → prompt → stream → strip cues → citations.
let db: TestDatabase;
let corpus: SeededCorpus;
const offline = createProvider({ kind: "offline" });

beforeAll(async () => {
  db = await createTestDatabase();
  corpus = await seedCorpus(db.kysely, offline);
});
afterAll(() => db?.drop());

async function answer(provider: Provider, question: string) {
  const [embedding] = await offline.embed([question]);
  const hits = await withTenant(db.kysely, corpus.tenantId, (tx) =>
    hybridSearch(tx, {
      tenantId: corpus.tenantId,
      chatbotId: corpus.chatbotId,
      embedding: embedding!,
      text: question,
      limit: 4,
    }),
  );
  const messages = buildPrompt({
    persona: "You are Leafy.",
    greeting: "Hi!",
    history: [],
    question,
    chunks: hits,
  });
  const stripper = createCueStripper();
  let text = "";
  const cues: string[] = [];
  for await (const event of provider.streamChat(messages, { context: { chunks: hits, greeting: "Hi!" } })) {
    if (event.type !== "delta") continue;
    const visible = stripper.push(event.text);
    text += visible.text;
    cues.push(...visible.cues);
  }
  text += stripper.flush().text;
  return { text, cues, citations: citationsFrom(hits, text) };
}

describe("answer pipeline", () => {
  it("answers a corpus question offline with a quote and a citation of the right source", async () => {
    const result = await answer(offline, "How much does express delivery cost?");
    expect(result.text).toContain("Express delivery arrives the next business day and costs 12 euros.");
    expect(result.citations[0]).toMatchObject({
      sourceId: corpus.sourceIds.get("shipping"),
      title: "Shipping and delivery times",
    });
  });

  it("streams an OpenAI-compatible model's answer with cues hidden and citations resolved", async () => {
    const server = await startOpenAIServer({
      behaviour: {
        reply: (messages) =>
          messages.at(-2)?.content.includes("[1]") ? "[[happy]]It costs 12 euros [1]. [[nod]]" : "?",
      },
    });
    try {
      const provider = createProvider(
        {
          kind: "openai",
          baseUrl: server.url,
          apiKey: "k",
          chatModel: "m",
          embeddingModel: "e",
        },
        localServerAccess,
      );
      const result = await answer(provider, "How much does express delivery cost?");
      expect(result.text).toBe("It costs 12 euros [1]. ");
      expect(result.cues).toEqual(["happy", "nod"]);
      expect(result.citations).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("answers most labelled corpus questions offline with a citation of an answering document", async () => {
    const report = await measureOfflineAnswers(db.kysely, corpus);
    console.info("offline answers", report);
    expect(report.correct).toBeGreaterThanOrEqual(0.75);
    expect(report.wrong).toBeLessThanOrEqual(0.15);
  });
});
