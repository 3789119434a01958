import { createTestDatabase } from "@avatar-chat/db/testing";
import { type Figures, figure, type Suite } from "../../../bench/figures";
import { createOfflineProvider } from "../src/provider/offline";
import { documents } from "../src/testing/corpus";
import { evalDocuments, evalQuestions, measureEvalSet } from "../src/testing/eval-set";
import { measureOfflineAnswers, measureRecall } from "../src/testing/recall";
import { seedCorpus, seedUploads } from "../src/testing/seed-corpus";

const INDEX_COPIES = 50;

/** Retrieval quality on the labelled corpus (offline embedder) and the offline indexing pipeline's throughput. */
const suite: Suite = {
  name: "rag",
  measures: ["packages/ai", "packages/db"],
  async run(): Promise<Figures> {
    const db = await createTestDatabase();
    try {
      const provider = createOfflineProvider();
      const corpus = await seedCorpus(db.kysely, provider);
      const recall = await measureRecall(db.kysely, provider, corpus);
      const answers = await measureOfflineAnswers(db.kysely, corpus);

      // Six businesses' documents the answerer was not written alongside; tuned on one half, reported on the
      // other (held out), see src/testing/eval-set/questions.ts.
      const evalCorpus = await seedUploads(db.kysely, provider, evalDocuments());
      const heldOut = evalQuestions.filter((q) => q.split === "held-out");
      const tuningQuestions = evalQuestions.filter((q) => q.split === "tune");
      const tuning = await measureEvalSet(db.kysely, provider, evalCorpus, tuningQuestions);
      const reported = await measureEvalSet(db.kysely, provider, evalCorpus, heldOut);
      const count = (documentNull: boolean, list = heldOut) =>
        list.filter((q) => (q.document === null) === documentNull).length;

      // Handbook-sized documents (the whole corpus as one Markdown file, many copies) through the whole
      // pipeline: extract, chunk, embed, insert. Small documents would measure per-source overhead instead.
      const handbook = documents.map((d) => d.content.replace(/^# /gm, "## ")).join("\n\n");
      const copies = Array.from({ length: INDEX_COPIES }, (_, copy) => ({
        id: `handbook-${copy}`,
        title: `Brightleaf handbook (${copy})`,
        content: `# Brightleaf handbook, edition ${copy}\n\n${handbook}`,
      }));
      const started = performance.now();
      const indexed = await seedCorpus(db.kysely, provider, copies);
      const seconds = (performance.now() - started) / 1000;

      const note = `${documents.length} documents, labelled questions, top-5 distinct sources, offline embedder`;
      return {
        "rag.recall_at_5.hybrid": figure(
          recall.hybrid,
          "ratio",
          `RRF of vector + text; baseline vector-only. ${note}`,
          recall.vector,
        ),
        "rag.recall_at_5.vector": figure(recall.vector, "ratio", `HNSW cosine only. ${note}`),
        "rag.recall_at_5.text": figure(recall.text, "ratio", `full-text (websearch, any word) only. ${note}`),
        "rag.offline_answer.correct": figure(
          answers.correct,
          "ratio",
          `offline extractive answer cites an answering document (unknown ${answers.unknown.toFixed(3)}, wrong ${answers.wrong.toFixed(3)})`,
        ),
        "rag.offline_answer.answerable": figure(
          reported.answerable,
          "ratio",
          `held-out half: ${count(false)} answerable visitor questions on 6 unseen documents (md, html, txt, pdf) answered with every key phrase, no wrong rule, from the cited document; tuning half ${tuning.answerable.toFixed(3)} of ${count(false, tuningQuestions)}`,
        ),
        "rag.offline_answer.unanswerable": figure(
          reported.unanswerable,
          "ratio",
          `held-out half: ${count(true)} unanswerable questions declined with the offer of a person; tuning half ${tuning.unanswerable.toFixed(3)} of ${count(true, tuningQuestions)}`,
        ),
        "rag.offline_answer.ms_per_answer": figure(
          reported.medianMs,
          "ms",
          `median over the held-out half: embed, hybrid search (top 5), extractive answer; p95 ${reported.p95Ms.toFixed(1)} ms`,
        ),
        "kb.index.chunks_per_s": figure(
          indexed.chunkCount / seconds,
          "chunks/s",
          `${copies.length} Markdown handbooks (${Math.round(handbook.length / 1024)} KiB each) → ${indexed.chunkCount} chunks: extract, chunk, offline embed, insert`,
        ),
      };
    } finally {
      await db.drop();
    }
  },
};

export default suite;
