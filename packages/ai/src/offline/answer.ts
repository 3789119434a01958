import { cosine, hashEmbedding } from "../embedding/hash-embedding";
import { contentTerms, words } from "../embedding/words";
import { splitSentences } from "../ingest/sentences";
import type { ChatContext, ContextChunk } from "../provider/types";

const MAX_QUOTES = 3;
// Below this a sentence shares too little with the question to be worth quoting.
const MIN_SCORE = 0.3;
const UNKNOWN_WORD_WEIGHT = 0.75;
const GREETING_WORDS = new Set(["hi", "hello", "hey", "hallo", "howdy", "greetings", "morning", "evening"]);

interface ScoredSentence {
  text: string;
  chunkIndex: number;
  position: number;
  score: number;
}

/**
 * Builds the offline provider's reply: the context sentences that best match the question, quoted and cited
 * with [n] (n = the chunk's 1-based position in the context, the same numbering buildPrompt uses).
 */
export function composeOfflineAnswer(question: string, context: ChatContext | undefined): string {
  const chunks = context?.chunks ?? [];
  const questionTerms = new Set(contentTerms(question));
  const said = words(question);
  if (said.some((w) => GREETING_WORDS.has(w)) && [...questionTerms].every((t) => GREETING_WORDS.has(t))) {
    return context?.greeting?.trim() || "Hello! How can I help you today?";
  }
  const picked = pickSentences(question, questionTerms, chunks);
  if (picked.length === 0) return dontKnow(context);

  const byChunk = new Map<number, ScoredSentence[]>();
  for (const sentence of picked) {
    byChunk.set(sentence.chunkIndex, [...(byChunk.get(sentence.chunkIndex) ?? []), sentence]);
  }
  const lines = [...byChunk.entries()].map(([chunkIndex, sentences]) => {
    const title = chunks[chunkIndex]?.sourceTitle;
    const quote = sentences
      .sort((a, b) => a.position - b.position)
      .map((s) => s.text)
      .join(" ");
    return `${title ? `From "${title}": ` : ""}"${quote}" [${chunkIndex + 1}]`;
  });
  const intro = "Here is what I found in the knowledge base:";
  return [intro, ...lines].join("\n\n");
}

function pickSentences(
  question: string,
  questionTerms: Set<string>,
  chunks: readonly ContextChunk[],
): ScoredSentence[] {
  const sentences: (Omit<ScoredSentence, "score"> & { terms: Set<string> })[] = [];
  const headingTerms: Set<string>[] = [];
  chunks.forEach((chunk, chunkIndex) => {
    const headings = [chunk.sourceTitle];
    splitSentences(chunk.content).forEach((raw, position) => {
      const cleaned = raw.replace(/^#+\s*|^[-*•]\s+|^\d+[.)]\s+/, "").trim();
      // Headings and labels ("Factory reset") are not statements worth quoting, but they say what follows is about.
      const fragment = !/[.!?:)"”]$/.test(cleaned) && cleaned.split(/\s+/).length < 6;
      if (fragment) headings.push(cleaned);
      else if (cleaned)
        sentences.push({ text: cleaned, chunkIndex, position, terms: new Set(contentTerms(cleaned)) });
    });
    headingTerms.push(new Set(contentTerms(headings.join(" "))));
  });
  if (sentences.length === 0 || questionTerms.size === 0) return [];

  // Inverse document frequency over the context's sentences: rare shared words count for more.
  const documentFrequency = new Map<string, number>();
  for (const terms of [...sentences.map((s) => s.terms), ...headingTerms]) {
    for (const t of terms) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  }
  const idf = (t: string) => Math.log(1 + sentences.length / (documentFrequency.get(t) ?? 0.5));
  // Words the context never uses cannot be matched; they count less, so a question padded with chatter
  // ("I made a mistake...") can still match on the words it shares.
  const questionWeight = [...questionTerms].reduce(
    (sum, t) => sum + (documentFrequency.has(t) ? idf(t) : UNKNOWN_WORD_WEIGHT * idf(t)),
    0,
  );
  const questionVector = hashEmbedding(question);

  const scored = sentences.map((s) => {
    const heading = headingTerms[s.chunkIndex]!;
    let matched = 0;
    let inSentence = 0;
    for (const t of questionTerms) {
      if (s.terms.has(t)) {
        matched += idf(t);
        inSentence++;
      } else if (heading.has(t)) {
        // A word found only in the heading/title counts half: it places the sentence, it does not state it.
        matched += 0.5 * idf(t);
      }
    }
    const similarity = Math.max(0, cosine(questionVector, hashEmbedding(s.text)));
    // Small priors: better-ranked chunks and a section's first sentences usually carry the answer.
    const prior = 0.06 / (1 + s.chunkIndex) + 0.04 / (1 + s.position);
    // A sentence sharing no meaningful word with the question is never quoted, however similar its spelling.
    const score = inSentence === 0 ? 0 : 0.65 * (matched / questionWeight) + 0.35 * similarity + prior;
    return { text: s.text, chunkIndex: s.chunkIndex, position: s.position, score };
  });
  const best = scored.filter((s) => s.score >= MIN_SCORE).sort((a, b) => b.score - a.score);
  const top = best[0]?.score ?? 0;
  // Keep only sentences close to the best one, so a strong answer is not diluted by weak neighbours.
  return best.filter((s) => s.score >= top * 0.6).slice(0, MAX_QUOTES);
}

function dontKnow(context: ChatContext | undefined): string {
  const topics = new Map<string, string>();
  for (const topic of [...(context?.topics ?? []), ...(context?.chunks ?? []).map((c) => c.sourceTitle)]) {
    const trimmed = topic.trim();
    if (trimmed && !topics.has(trimmed.toLowerCase())) topics.set(trimmed.toLowerCase(), trimmed);
  }
  const named = [...topics.values()].slice(0, 5);
  const sorry = "I'm sorry, I don't know the answer to that from the information I have.";
  if (named.length > 0) return `${sorry} I can help with questions about ${listOf(named)}.`;
  return `${sorry} Could you rephrase your question, or ask about something else?`;
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Splits text into small token-like pieces (words with their trailing space; long words in parts). */
export function tokenPieces(text: string): string[] {
  const pieces: string[] = [];
  for (const match of text.match(/\S+\s*|\s+/g) ?? []) {
    for (let i = 0; i < match.length; i += 6) pieces.push(match.slice(i, i + 6));
  }
  return pieces;
}
