import { createDb, type Db, migrate, withTenant } from "@avatar-chat/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOfflineProvider } from "../provider/offline";
import { documents } from "../testing/corpus";
import { type SeededCorpus, seedCorpus } from "../testing/seed-corpus";
import { hybridSearch } from "./hybrid-search";

// Embedded mode runs on PGlite: the same search (pgvector settings, websearch_to_tsquery) must work there.
const provider = createOfflineProvider();
let db: Db;
let corpus: SeededCorpus;

beforeAll(async () => {
  db = await createDb({ dataDir: "memory://" });
  await migrate(db.kysely);
  // A few documents keep this file quick; the full corpus runs against PostgreSQL.
  corpus = await seedCorpus(db.kysely, provider, documents.slice(0, 6));
});
afterAll(() => db?.close());

describe("hybridSearch on PGlite", () => {
  it("finds the answering document with both methods", async () => {
    const question = "How much does express delivery cost?";
    const [embedding] = await provider.embed([question]);
    const hits = await withTenant(db.kysely, corpus.tenantId, (tx) =>
      hybridSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: corpus.chatbotId,
        embedding: embedding!,
        text: question,
        limit: 3,
      }),
    );
    expect(hits[0]).toMatchObject({ sourceId: corpus.sourceIds.get("shipping"), vectorRank: 1, textRank: 1 });
  });
});
