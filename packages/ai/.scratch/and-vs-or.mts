import { withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { sql } from "kysely";
import { createOfflineProvider } from "../src/index.ts";
import { questions, seedCorpus } from "../src/testing/index.ts";

const db = await createTestDatabase();
const c = await seedCorpus(db.kysely, createOfflineProvider());
let and = 0;
await withTenant(db.kysely, c.tenantId, async (tx) => {
  for (const q of questions) {
    const { rows } = await sql<{
      source_id: string;
    }>`select source_id from knowledge_chunks where chatbot_id = ${c.chatbotId} and tsv @@ websearch_to_tsquery('english', ${q.question}) order by ts_rank_cd(tsv, websearch_to_tsquery('english', ${q.question})) desc limit 15`.execute(
      tx,
    );
    const top = [...new Set(rows.map((r) => r.source_id))].slice(0, 5);
    const rel = q.answeredBy.map((id) => c.sourceIds.get(id));
    and += rel.filter((r) => top.includes(r!)).length / rel.length;
  }
});
console.log("AND recall@5", and / questions.length);
await db.drop();
