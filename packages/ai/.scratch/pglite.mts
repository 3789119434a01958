import { createDb, migrate, withTenant } from "@avatar-chat/db";
import { createOfflineProvider, hybridSearch } from "../src/index.ts";
import { seedCorpus } from "../src/testing/index.ts";

const db = await createDb({ dataDir: "memory://" });
await migrate(db.kysely);
const p = createOfflineProvider();
const c = await seedCorpus(db.kysely, p);
const q = "How much does express delivery cost?";
const [e] = await p.embed([q]);
const hits = await withTenant(db.kysely, c.tenantId, (tx) =>
  hybridSearch(tx, { tenantId: c.tenantId, chatbotId: c.chatbotId, embedding: e!, text: q, limit: 3 }),
);
console.log(hits.map((h) => [h.sourceTitle, h.score.toFixed(4), h.vectorRank, h.textRank]));
await db.close();
