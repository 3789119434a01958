// Measures the offline answer's "I don't know" threshold (MIN_COVERAGE in src/offline/answer.ts) on the
// evaluation set's TUNING half only: every question is retrieved once, then answered at each threshold.
// Run: pnpm --filter @avatar-chat/ai exec tsx bench/tune-offline-threshold.ts

import { withTenant } from "@avatar-chat/db";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { composeOfflineAnswer } from "../src/offline/answer";
import { citationsFrom } from "../src/prompt/citations";
import { createOfflineProvider } from "../src/provider/offline";
import { hybridSearch } from "../src/retrieval/hybrid-search";
import { questions as corpusQuestions } from "../src/testing/corpus";
import { evalDocuments, evalQuestions, judgeAnswer, retrieveFor } from "../src/testing/eval-set";
import { seedCorpus, seedUploads } from "../src/testing/seed-corpus";

const db = await createTestDatabase();
try {
  const provider = createOfflineProvider();
  const corpus = await seedUploads(db.kysely, provider, evalDocuments());
  const tuning = evalQuestions.filter((q) => q.split === "tune");
  const retrieved = [];
  for (const q of tuning)
    retrieved.push({ q, hits: await retrieveFor(db.kysely, provider, corpus, q.question) });
  // The Brightleaf corpus (all answerable, written with the code) as a second check against over-declining.
  const brightleaf = await seedCorpus(db.kysely, provider);
  const corpusRetrieved = [];
  for (const q of corpusQuestions) {
    const [embedding] = await provider.embed([q.question]);
    const hits = await withTenant(db.kysely, brightleaf.tenantId, (tx) =>
      hybridSearch(tx, { ...brightleaf, embedding: embedding!, text: q.question, limit: 4 }),
    );
    corpusRetrieved.push({
      q,
      hits,
      relevant: new Set(q.answeredBy.map((id) => brightleaf.sourceIds.get(id))),
    });
  }
  for (const unknownWordWeight of [0.75, 1, 1.25]) {
    console.log(
      `unknown word weight ${unknownWordWeight}\nthreshold  answerable  unanswerable  sum  brightleaf`,
    );
    for (let threshold = 0.3; threshold <= 0.801; threshold += 0.025) {
      const passed = { answerable: 0, unanswerable: 0 };
      const counts = { answerable: 0, unanswerable: 0 };
      for (const { q, hits } of retrieved) {
        const answer = composeOfflineAnswer(
          q.question,
          { chunks: hits },
          { minCoverage: threshold, unknownWordWeight },
        );
        const kind = q.document === null ? "unanswerable" : "answerable";
        counts[kind]++;
        if (judgeAnswer(q, answer, hits, corpus).passed) passed[kind]++;
      }
      const cited = corpusRetrieved.filter(({ q, hits, relevant }) => {
        const answer = composeOfflineAnswer(
          q.question,
          { chunks: hits },
          { minCoverage: threshold, unknownWordWeight },
        );
        return citationsFrom(hits, answer).some((c) => relevant.has(c.sourceId));
      }).length;
      const a = passed.answerable / counts.answerable;
      const u = passed.unanswerable / counts.unanswerable;
      console.log(
        `${threshold.toFixed(3)}      ${a.toFixed(3)}       ${u.toFixed(3)}         ${(a + u).toFixed(3)}  ${(cited / corpusRetrieved.length).toFixed(3)}`,
      );
    }
  }
} finally {
  await db.drop();
}
process.exit(0);
