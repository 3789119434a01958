import { type Database, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { citationsFrom } from "../prompt/citations";
import { createOfflineProvider } from "../provider/offline";
import type { Provider } from "../provider/types";
import { hybridSearch, type SearchHit, textSearch, vectorSearch } from "../retrieval/hybrid-search";
import { type CorpusQuestion, questions as corpusQuestions } from "./corpus";
import type { SeededCorpus } from "./seed-corpus";

export interface RecallReport {
  k: number;
  hybrid: number;
  vector: number;
  text: number;
  /** Questions hybrid search missed entirely, for debugging the corpus or the ranking. */
  hybridMisses: string[];
}

/** Mean recall@k over the labelled questions: the share of each question's answering documents in the top k. */
export async function measureRecall(
  db: Kysely<Database>,
  provider: Provider,
  corpus: SeededCorpus,
  options: { k?: number; questions?: readonly CorpusQuestion[] } = {},
): Promise<RecallReport> {
  const k = options.k ?? 5;
  const questions = options.questions ?? corpusQuestions;
  const scope = { tenantId: corpus.tenantId, chatbotId: corpus.chatbotId };
  const totals = { hybrid: 0, vector: 0, text: 0 };
  const hybridMisses: string[] = [];
  const embeddings = await provider.embed(questions.map((q) => q.question));
  await withTenant(db, corpus.tenantId, async (tx) => {
    for (const [i, q] of questions.entries()) {
      const embedding = embeddings[i]!;
      const relevant = new Set(q.answeredBy.map((id) => corpus.sourceIds.get(id)));
      const recall = (hits: SearchHit[]) => {
        const found = new Set(hits.map((h) => h.sourceId).filter((id) => relevant.has(id)));
        return found.size / relevant.size;
      };
      // Chunks, not sources, are ranked: ask for more rows so k distinct sources can be counted.
      const topSources = (hits: SearchHit[]) => {
        const seen = new Set<string>();
        return hits.filter((h) => !seen.has(h.sourceId) && seen.add(h.sourceId)).slice(0, k);
      };
      const hybrid = recall(
        topSources(await hybridSearch(tx, { ...scope, embedding, text: q.question, limit: k * 3 })),
      );
      totals.hybrid += hybrid;
      if (hybrid === 0) hybridMisses.push(q.question);
      totals.vector += recall(topSources(await vectorSearch(tx, { ...scope, embedding, limit: k * 3 })));
      totals.text += recall(topSources(await textSearch(tx, { ...scope, text: q.question, limit: k * 3 })));
    }
  });
  const n = questions.length;
  return { k, hybrid: totals.hybrid / n, vector: totals.vector / n, text: totals.text / n, hybridMisses };
}

export interface AnswerReport {
  /** Share of questions whose offline answer cites a document that answers them. */
  correct: number;
  /** Share answered with "I don't know" (no citation). */
  unknown: number;
  /** Share that cite only documents that do not answer them. */
  wrong: number;
}

/** Runs the offline answer path (hybrid search top 4 → extractive answer) over the labelled questions. */
export async function measureOfflineAnswers(
  db: Kysely<Database>,
  corpus: SeededCorpus,
  questions: readonly CorpusQuestion[] = corpusQuestions,
): Promise<AnswerReport> {
  const provider = createOfflineProvider();
  const counts = { correct: 0, unknown: 0, wrong: 0 };
  const embeddings = await provider.embed(questions.map((q) => q.question));
  await withTenant(db, corpus.tenantId, async (tx) => {
    for (const [i, q] of questions.entries()) {
      const hits = await hybridSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: corpus.chatbotId,
        embedding: embeddings[i]!,
        text: q.question,
        limit: 4,
      });
      let text = "";
      for await (const event of provider.streamChat([{ role: "user", content: q.question }], {
        context: { chunks: hits },
      })) {
        if (event.type === "delta") text += event.text;
      }
      const cited = citationsFrom(hits, text).map((c) => c.sourceId);
      const relevant = new Set(q.answeredBy.map((id) => corpus.sourceIds.get(id)));
      if (cited.length === 0) counts.unknown++;
      else if (cited.some((id) => relevant.has(id))) counts.correct++;
      else counts.wrong++;
    }
  });
  const n = questions.length;
  return { correct: counts.correct / n, unknown: counts.unknown / n, wrong: counts.wrong / n };
}
