import { createTestDatabase } from "@avatar-chat/db/testing";
import { type Figures, figure, type Suite } from "../../../bench/figures";
import { createOfflineProvider } from "../src/provider/offline";
import { documents } from "../src/testing/corpus";
import { measureOfflineAnswers, measureRecall } from "../src/testing/recall";
import { seedCorpus } from "../src/testing/seed-corpus";

const INDEX_COPIES = 50;

/** Retrieval quality on the labelled corpus (offline embedder) and the offline indexing pipeline's throughput. */
const suite: Suite = {
  name: "rag",
  async run(): Promise<Figures> {
    const db = await createTestDatabase();
    try {
      const provider = createOfflineProvider();
      const corpus = await seedCorpus(db.kysely, provider);
      const recall = await measureRecall(db.kysely, provider, corpus);
      const answers = await measureOfflineAnswers(db.kysely, corpus);

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
