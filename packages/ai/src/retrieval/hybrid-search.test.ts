import { randomUUID } from "node:crypto";
import { withTenant } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOfflineProvider } from "../provider/offline";
import { documents } from "../testing/corpus";
import { measureRecall } from "../testing/recall";
import { type SeededCorpus, seedCorpus } from "../testing/seed-corpus";
import { hybridSearch, searchTerms, textSearch, vectorSearch } from "./hybrid-search";

const provider = createOfflineProvider();
let db: TestDatabase;
let corpus: SeededCorpus;
let other: SeededCorpus;

beforeAll(async () => {
  db = await createTestDatabase();
  corpus = await seedCorpus(db.kysely, provider);
  // A second tenant with the same documents: every search must stay inside its own tenant and chatbot.
  other = await seedCorpus(db.kysely, provider, documents.slice(0, 10));
});
afterAll(() => db?.drop());

async function search(seeded: SeededCorpus, text: string, limit = 5) {
  const [embedding] = await provider.embed([text]);
  const scope = { tenantId: seeded.tenantId, chatbotId: seeded.chatbotId };
  return withTenant(db.kysely, seeded.tenantId, (tx) =>
    hybridSearch(tx, { ...scope, embedding: embedding!, text, limit, candidates: 20 }),
  );
}

describe("hybridSearch", () => {
  it("finds the answering document first and reports both ranks", async () => {
    const hits = await search(corpus, "How much does express delivery cost?");
    expect(hits[0]).toMatchObject({
      sourceId: corpus.sourceIds.get("shipping"),
      sourceTitle: "Shipping and delivery times",
    });
    expect(hits[0]!.vectorRank).not.toBeNull();
    expect(hits[0]!.textRank).not.toBeNull();
    expect(hits[0]!.content).toContain("Express delivery");
    expect(hits.length).toBe(5);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });

  it("never returns another tenant's or chatbot's chunks", async () => {
    const otherSources = new Set(other.sourceIds.values());
    const hits = await search(corpus, "return refund warranty shipping payment", 50);
    expect(hits.length).toBeGreaterThan(10);
    for (const hit of hits) expect(otherSources.has(hit.sourceId)).toBe(false);

    // Right tenant, unknown chatbot: nothing.
    const [embedding] = await provider.embed(["refund"]);
    const none = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      hybridSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: randomUUID(),
        embedding: embedding!,
        text: "refund",
        limit: 5,
      }),
    );
    expect(none).toEqual([]);
  });

  it("text search handles questions that are only stop words or punctuation", async () => {
    const hits = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      textSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: corpus.chatbotId,
        text: "what is it?!",
        limit: 5,
      }),
    );
    expect(hits).toEqual([]);
    expect(searchTerms('Can\'t I pay -- with "Klarna" or Visa?')).toBe(
      "cant or i or pay or with or klarna or visa",
    );
  });

  it("vector search orders by similarity", async () => {
    const [embedding] = await provider.embed(["Orbit desk lamp battery"]);
    const hits = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      vectorSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: corpus.chatbotId,
        embedding: embedding!,
        limit: 5,
      }),
    );
    expect(hits[0]?.sourceId).toBe(corpus.sourceIds.get("orbit-lamp"));
    expect(hits.map((h) => h.vectorRank)).toEqual([1, 2, 3, 4, 5]);
  });

  it("reaches a sane recall@5 on the labelled corpus with the offline embedder", async () => {
    const report = await measureRecall(db.kysely, provider, corpus);
    console.info(
      `recall@5 hybrid=${report.hybrid.toFixed(3)} vector=${report.vector.toFixed(3)} text=${report.text.toFixed(3)}`,
      report.hybridMisses,
    );
    expect(report.hybrid).toBeGreaterThanOrEqual(0.85);
    expect(report.hybrid).toBeGreaterThanOrEqual(Math.max(report.vector, report.text) - 0.05);
  });
});
