import { withTenant } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexSourceText } from "../ingest/index-text";
import { createOfflineProvider } from "../provider/offline";
import { type SeededCorpus, seedCorpus } from "../testing/seed-corpus";

const provider = createOfflineProvider();
let db: TestDatabase;
let corpus: SeededCorpus;

beforeAll(async () => {
  db = await createTestDatabase();
  corpus = await seedCorpus(db.kysely, provider, [
    { id: "doc", title: "Doc", content: "# Doc\n\nFirst version." },
  ]);
});
afterAll(() => db?.drop());

describe("indexSourceText / replaceSourceChunks", () => {
  const input = () => ({
    tenantId: corpus.tenantId,
    chatbotId: corpus.chatbotId,
    sourceId: corpus.sourceIds.get("doc")!,
  });
  const chunksOf = () =>
    db.kysely
      .selectFrom("knowledge_chunks")
      .select(["ordinal", "content", "metadata", "token_count"])
      .where("source_id", "=", input().sourceId)
      .orderBy("ordinal")
      .execute();

  it("replaces a source's chunks on re-index, with heading metadata and token counts", async () => {
    const text = `# Manual\n\n## Setup\n\n${"Plug the lamp in and hold the dimmer. ".repeat(60)}`;
    const count = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      indexSourceText(tx, provider, { ...input(), text, chunking: { targetTokens: 120, overlapTokens: 20 } }),
    );
    expect(count).toBeGreaterThan(3);
    const rows = await chunksOf();
    expect(rows).toHaveLength(count);
    expect(rows.map((r) => r.ordinal)).toEqual(rows.map((_, i) => i));
    expect(rows[0]!.metadata).toEqual({ headingPath: ["Manual", "Setup"] });
    expect(rows[0]!.token_count).toBeGreaterThan(50);
    expect(rows.some((r) => r.content.includes("First version"))).toBe(false);

    const again = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      indexSourceText(tx, provider, { ...input(), text: "Short now." }),
    );
    expect(again).toBe(1);
    expect((await chunksOf()).map((r) => r.content)).toEqual(["Short now."]);
  });

  it("cannot write chunks into another tenant (row-level security)", async () => {
    const stranger = await seedCorpus(db.kysely, provider, [{ id: "x", title: "X", content: "x" }]);
    await expect(
      withTenant(db.kysely, stranger.tenantId, (tx) =>
        indexSourceText(tx, provider, { ...input(), text: "intrusion" }),
      ),
    ).rejects.toThrow();
    expect((await chunksOf()).map((r) => r.content)).toEqual(["Short now."]);
  });
});
