import { withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { buildPrompt, createOfflineProvider, hybridSearch } from "../src/index.ts";
import { questions, seedCorpus } from "../src/testing/index.ts";

const db = await createTestDatabase();
const p = createOfflineProvider();
const c = await seedCorpus(db.kysely, p);
for (const q of [
  ...questions.slice(0, 44).filter((_, i) => i % 4 === 0),
  { question: "What's the capital of France?" },
  { question: "hello there" },
]) {
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
    { context: { chunks: hits, greeting: "Hi, I'm Leafy!" } },
  ))
    if (ev.type === "delta") t += ev.text;
  console.log(`Q: ${q.question}\nA: ${t}\n`);
}
await db.drop();
