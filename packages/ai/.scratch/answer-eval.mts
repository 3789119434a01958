import { withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { buildPrompt, citationsFrom, createOfflineProvider, hybridSearch } from "../src/index.ts";
import { questions, seedCorpus } from "../src/testing/index.ts";

const db = await createTestDatabase();
const p = createOfflineProvider();
const c = await seedCorpus(db.kysely, p);
let good = 0,
  unknown = 0,
  wrong = 0;
for (const q of questions) {
  const [e] = await p.embed([q.question]);
  const hits = await withTenant(db.kysely, c.tenantId, (tx) =>
    hybridSearch(tx, {
      tenantId: c.tenantId,
      chatbotId: c.chatbotId,
      embedding: e!,
      text: q.question,
      limit: 4,
    }),
  );
  let t = "";
  for await (const ev of p.streamChat(
    buildPrompt({ persona: "", history: [], question: q.question, chunks: hits }),
    { context: { chunks: hits } },
  ))
    if (ev.type === "delta") t += ev.text;
  const cited = citationsFrom(hits, t).map((x) => x.sourceId);
  const relevant = q.answeredBy.map((id) => c.sourceIds.get(id));
  if (cited.length === 0) {
    unknown++;
    console.log("UNKNOWN", q.question);
  } else if (cited.some((s) => relevant.includes(s))) good++;
  else {
    wrong++;
    console.log("WRONG", q.question, "\n   ", t.replace(/\n+/g, " ").slice(0, 300));
  }
}
console.log({ good, unknown, wrong });
await db.drop();
