import { cosine, hashEmbedding } from "../embedding/hash-embedding";
import { isKnownWord, rewritePhrases } from "../embedding/synonyms";
import { contentTerms, detectLanguage, isStopword, normalize, words } from "../embedding/words";
import { splitSentences } from "../ingest/sentences";
import type { ChatContext, ContextChunk } from "../provider/types";
import {
  type AnswerType,
  expectedAnswer,
  isNegated,
  statedDuration,
  statesNegation,
  statesValue,
  TYPE_WORDS,
} from "./answer-types";
import { formatRow, type Passage, passagesOf } from "./passages";
import { correctTypo } from "./typos";

/**
 * Below this share of the question's weight matched by the best passage, the offline answer says it does not
 * know. Measured on the evaluation set's tuning half (bench/tune-offline-threshold.ts); see docs/ai.md.
 */
export const MIN_COVERAGE = 0.575;
// Question words no passage uses weigh this much of a rare word: chatter ("what now?") should not sink a
// good match, but a topic the context never mentions ("gift cards") should.
const UNKNOWN_WORD_WEIGHT = 0.75;
// A word found only in the passage's heading or source title places the passage; it does not state the answer.
const HEADING_WEIGHT = 0.5;
// A second passage is quoted only when it is nearly as good as the best one, from the same source.
const COMPANION_SHARE = 0.85;
// Verbs that carry little of a question's topic ("what is it made of", "can you put"), and words that name a
// kind of text rather than its topic ("your return policy", "info on parking"): they count a third.
const LIGHT_WORDS = new Set(
  [
    "make made find found take put give go come leave use work want need say see look try help mean happen start",
    "stop wait policy policies rule rules info information detail details terms conditions document documents",
  ]
    .join(" ")
    .split(" ")
    .map((w) => contentTerms(w)[0] ?? w),
);
const LIGHT_WEIGHT = 0.3;
// A number the context never states is a detail of the visitor's case ("after 2 weeks"), not the topic.
const UNSTATED_NUMBER_WEIGHT = 0.5;
// "install" and "installation", "vaccin" and "vaccination": word forms the stemmer keeps apart.
const DERIVED_WEIGHT = 0.8;
const MIN_SHARED_STEM = 5;
// The kind of value a question asks for ("how long" → a duration) weighs this share of an average question term.
const ANSWER_TYPE_WEIGHT = 0.5;
const MAX_ROWS = 3;
const MAX_OTHER_SOURCES = 2;
const MAX_TABLE_ROWS = 12;
const GREETING_WORDS = new Set(["hi", "hello", "hey", "hallo", "howdy", "greetings", "morning", "evening"]);

export interface OfflineAnswerOptions {
  minCoverage?: number;
  /** For measuring only (bench/tune-offline-threshold.ts). */
  unknownWordWeight?: number;
}

interface Scored {
  passage: Passage;
  coverage: number;
  score: number;
  /** For rows: the columns whose names the question uses. */
  columns: Set<number>;
  /** The question's terms (after typo correction), for trimming a paragraph to its answering sentences. */
  terms: ReadonlySet<string>;
  /** The question's terms the passage, its column names or its heading state. */
  found: Set<string>;
  /** The kind of value the question asks for, whose sentence the quote keeps. */
  expected: AnswerType | null;
  /** The question is about a case that did not happen: the quote keeps the sentences stating such a case. */
  negated: boolean;
}

/**
 * Builds the offline provider's reply: the passage of the context that best answers the question, quoted and
 * cited with [n] (n = the chunk's 1-based position in the context, the same numbering buildPrompt uses), or an
 * honest "I don't know" with the offer of a person when no passage covers enough of the question.
 */
export function composeOfflineAnswer(
  question: string,
  context: ChatContext | undefined,
  options: OfflineAnswerOptions = {},
): string {
  const chunks = context?.chunks ?? [];
  const said = words(question);
  const terms = contentTerms(question);
  if (said.some((w) => GREETING_WORDS.has(w)) && terms.every((t) => GREETING_WORDS.has(t))) {
    return context?.greeting?.trim() || "Hello! How can I help you today?";
  }
  const ranked = rankPassages(question, chunks, options.unknownWordWeight);
  // "How do I …" asks for a procedure: its paragraph is quoted whole, not trimmed to the matching sentence.
  const procedure = /\bhow (?:to|do|can|should|does)\b/.test(normalize(question));
  const best = ranked[0];
  if (!best || best.coverage < (options.minCoverage ?? MIN_COVERAGE)) return dontKnow(context);
  const quotes = [quoteOf(best, ranked, chunks, procedure)];
  const companion = ranked.find(
    (s) =>
      s !== best &&
      !overlaps(s.passage.text, best.passage.text) &&
      s.score >= best.score * COMPANION_SHARE &&
      s.coverage >= (options.minCoverage ?? MIN_COVERAGE) &&
      chunks[s.passage.chunkIndex]?.sourceTitle === chunks[best.passage.chunkIndex]?.sourceTitle &&
      // A row's own table (or its neighbour rows, already considered) repeats it.
      !(best.passage.kind === "row" && (s.passage.kind === "row" || s.passage.kind === "table")) &&
      !(s.passage.kind === "row" && best.passage.kind === "table"),
  );
  if (companion) quotes.push(quoteOf(companion, ranked, chunks, procedure));
  // The same question answered by another source (two businesses' opening hours in one chatbot): quote each
  // rather than guess which one the visitor means.
  const sourceOf = (s: Scored) => chunks[s.passage.chunkIndex]?.sourceTitle;
  const answered = new Set([sourceOf(best)]);
  for (const s of ranked) {
    if (answered.size > MAX_OTHER_SOURCES || s.coverage < (options.minCoverage ?? MIN_COVERAGE)) continue;
    // Only for a question of two or more terms: one shared word ("return") is not the same question.
    if (best.found.size < 2 || answered.has(sourceOf(s)) || [...best.found].some((t) => !s.found.has(t)))
      continue;
    answered.add(sourceOf(s));
    quotes.push(quoteOf(s, ranked, chunks, procedure));
  }
  const unique = quotes.filter((q, i) => quotes.findIndex((o) => o.text === q.text) === i);
  return ["Here is what I found in the knowledge base:", ...unique.map((q) => q.line)].join("\n\n");
}

/** Every quotable passage of the context, best first, with the share of the question it covers. */
export function rankPassages(
  question: string,
  chunks: readonly ContextChunk[],
  unknownWordWeight = UNKNOWN_WORD_WEIGHT,
): Scored[] {
  const passages = dedupe(passagesOf(chunks));
  if (passages.length === 0) return [];
  const contextText = chunks.map((c) => `${c.sourceTitle}\n${c.content}`).join("\n");
  const corrected = correctTypos(question, contextText);
  const expected = expectedAnswer(question);
  // Typed values the passage must state: the one asked for, and a duration the visitor states about their own
  // case ("a hole after 2 weeks"), which any stated duration ("within 60 days") speaks to.
  const types = new Set<AnswerType>(expected ? [expected] : []);
  const caseDuration = statedDuration(corrected);
  if (caseDuration) types.add("duration");
  const typeWords = new Set([
    ...(types.size > 0 ? TYPE_WORDS : []),
    ...contentTerms(caseDuration?.words.join(" ") ?? ""),
  ]);
  const questionTerms = [...new Set(contentTerms(corrected))].filter((t) => !typeWords.has(t));
  if (questionTerms.length === 0) return [];
  const wanted = [...types].map((type) => (text: string) => statesValue(type, text));
  // "didn't get the email" is answered by the rule for when it does not come ("If no email arrives, …").
  const negated = isNegated(question);
  if (negated) wanted.push(statesNegation);

  // A table is stated by its column names and its heading, which is its caption ("Prices").
  const own = passages.map(
    (p) => new Set(contentTerms(p.kind === "table" ? `${p.heading}\n${p.header.join(" ")}` : p.text)),
  );
  // A row is read with its column names: "EU shoe size" belongs to the row "M | 39–42" as much as its cells.
  const columnNames = passages.map((p) => new Set(p.kind === "row" ? contentTerms(p.header.join(" ")) : []));
  const context = passages.map(
    (p) => new Set(contentTerms(`${p.heading}\n${chunks[p.chunkIndex]?.sourceTitle ?? ""}`)),
  );
  const frequency = new Map<string, number>();
  for (const terms of own) for (const t of terms) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + passages.length / (frequency.get(t) ?? 0.5));
  const weight = (t: string) => {
    const known = frequency.has(t) || inAnyRange(t, passages);
    const base = known ? idf(t) : (/^\d+$/.test(t) ? UNSTATED_NUMBER_WEIGHT : unknownWordWeight) * idf(t);
    return LIGHT_WORDS.has(t) ? LIGHT_WEIGHT * base : base;
  };
  const termsWeight = questionTerms.reduce((sum, t) => sum + weight(t), 0);
  const typeWeight = (ANSWER_TYPE_WEIGHT * termsWeight) / questionTerms.length;
  const total = termsWeight + wanted.length * typeWeight;
  const questionVector = hashEmbedding(question);
  const said = new Set(words(question));
  const termSet = new Set(questionTerms);

  const scored = passages.map((passage, i): Scored => {
    let matched = 0;
    let stated = 0;
    let onTopic = 0;
    const found = new Set<string>();
    for (const t of questionTerms) {
      if (context[i]!.has(t)) onTopic += weight(t);
      found.add(t);
      if (own[i]!.has(t) || inRange(t, passage.text) || inDayRange(t, passage.text)) {
        matched += weight(t);
        stated++;
      } else if (sharesStem(t, own[i]!)) {
        matched += DERIVED_WEIGHT * weight(t);
        stated++;
      } else if (columnNames[i]!.has(t)) matched += weight(t);
      else if (context[i]!.has(t)) matched += HEADING_WEIGHT * weight(t);
      else found.delete(t);
    }
    const values = passage.kind === "table" ? passage.rows.flat().join(" ") : passage.text;
    for (const states of wanted) if (states(values)) matched += typeWeight;
    // A passage must state something the question asks about, not only sit under a matching heading.
    let coverage = stated === 0 ? 0 : matched / total;
    if (contradicts(said, passage.text)) coverage *= 0.5;
    const similarity = Math.max(0, cosine(questionVector, hashEmbedding(passage.text)));
    // Ranking only: of two passages stating the same words, the one under a heading or title about the
    // question's topic ("Shipping" for "is shipping free?") is the better answer.
    const score = coverage + 0.1 * (onTopic / total) + 0.15 * similarity + 0.02 / (1 + passage.chunkIndex);
    const columns =
      passage.kind === "row" ? askedColumns(passage.header, questionTerms, weight) : new Set<number>();
    return { passage, coverage, score, columns, terms: termSet, found, expected, negated };
  });
  return scored.filter((s) => s.coverage > 0).sort((a, b) => b.score - a.score);
}

/** Question words the context does not use, replaced by the context word one typo away ("pasword"). */
function correctTypos(question: string, contextText: string): string {
  const vocabulary = new Map<string, number>();
  for (const w of words(contextText)) vocabulary.set(w, (vocabulary.get(w) ?? 0) + 1);
  // Phrases first ("whole day" must not become "hole day"); words the synonym table knows are never typos.
  const said = rewritePhrases(words(question).join(" ")).split(" ").filter(Boolean);
  const language = detectLanguage(said);
  return said
    .map((w) => (isStopword(w, language) || isKnownWord(w) ? w : (correctTypo(w, vocabulary) ?? w)))
    .join(" ");
}

// What a derived word form adds to its stem ("install" + "ation"); "check" + "in" is another word.
const DERIVATION = /^(?:e?s|e|ers?|ions?|ations?|ments?|al|ally|ive|able|ity|ist|ists)$/;

/** A passage term that is the question term plus a derivational suffix, or the reverse (5+ shared letters). */
function sharesStem(term: string, terms: ReadonlySet<string>): boolean {
  if (term.length < MIN_SHARED_STEM || /\d/.test(term)) return false;
  for (const other of terms) {
    if (other.length < MIN_SHARED_STEM) continue;
    const [short, long] = other.length < term.length ? [other, term] : [term, other];
    if (long.startsWith(short) && DERIVATION.test(long.slice(short.length))) return true;
  }
  return false;
}

/** "un-"/"non-" forms of the question's words: "unworn socks" answers a different question than "worn socks". */
function contradicts(said: ReadonlySet<string>, text: string): boolean {
  for (const w of words(text)) {
    const base = /^(?:un|non)(.{3,})$/.exec(w)?.[1];
    if (base && said.has(base) && !said.has(w)) return true;
  }
  return false;
}

/** The columns (after the first, which names the row) whose names share the most question weight. */
function askedColumns(
  header: readonly string[],
  terms: readonly string[],
  weight: (t: string) => number,
): Set<number> {
  const weights = header.map((name, i) => {
    if (i === 0) return 0;
    const names = new Set(contentTerms(name));
    return terms.reduce((sum, t) => sum + (names.has(t) ? weight(t) : 0), 0);
  });
  const top = Math.max(...weights);
  if (top === 0) return new Set();
  const asked = weights.flatMap((w, i) => (w === top ? [i] : []));
  // Every column equally named is no choice at all: show the whole row.
  return asked.length === header.length - 1 ? new Set() : new Set(asked);
}

const RANGE = /(\d+(?:[.,]\d+)?)\s*(?:–|-|to|bis)\s*(\d+(?:[.,]\d+)?)/g;

/** A number the question names falls inside a range the passage states ("EU 40" in "39–42"). */
function inRange(term: string, text: string): boolean {
  if (!/^\d+$/.test(term)) return false;
  const n = Number(term);
  for (const [, low, high] of normalize(text).matchAll(RANGE)) {
    const a = Number(low!.replace(",", "."));
    const b = Number(high!.replace(",", "."));
    if (a < b && n >= a && n <= b) return true;
  }
  return false;
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DAY_RANGE =
  /\b(?:mon|tues|wednes|thurs|fri|satur|sun)days? (?:to|until|till|-|–) (?:mon|tues|wednes|thurs|fri|satur|sun)days?\b/;

/**
 * A weekday the question names is answered by a passage stating a range of days, whether the range holds it
 * ("Monday to Saturday") or not ("Monday to Friday": not on Saturdays).
 */
function inDayRange(term: string, text: string): boolean {
  return term.length >= 3 && DAYS.some((day) => day.startsWith(term)) && DAY_RANGE.test(normalize(text));
}

function inAnyRange(term: string, passages: readonly Passage[]): boolean {
  return passages.some((p) => inRange(term, p.text));
}

/** One passage inside the other (a sentence and the pair of sentences holding it). */
function overlaps(a: string, b: string): boolean {
  return a.includes(b) || b.includes(a);
}

function dedupe(passages: Passage[]): Passage[] {
  const seen = new Set<string>();
  return passages.filter((p) => {
    const key = `${p.kind}:${p.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The quote for a chosen passage: a row (with its asked neighbours), a whole table, a list or prose. */
function quoteOf(
  best: Scored,
  ranked: readonly Scored[],
  chunks: readonly ContextChunk[],
  procedure: boolean,
): { text: string; line: string } {
  const { passage } = best;
  let text: string;
  if (passage.kind === "row") {
    const rows = ranked
      .filter(
        (s) =>
          s.passage.kind === "row" &&
          s.passage.table === passage.table &&
          s.passage.chunkIndex === passage.chunkIndex &&
          s.score >= best.score * 0.9 &&
          // Named by one of its own cells (coverage needs one), not only by the table's column names.
          s.coverage > 0,
      )
      .slice(0, MAX_ROWS);
    if (rows.length === 0) rows.push(best);
    text = rows
      .map((s) =>
        s.passage.kind === "row"
          ? formatRow(s.passage.header, s.passage.cells, s.columns.size > 0 ? s.columns : undefined)
          : "",
      )
      .join("\n");
  } else if (passage.kind === "table") {
    text = passage.rows
      .slice(0, MAX_TABLE_ROWS)
      .map((cells) => formatRow(passage.header, cells))
      .join("\n");
  } else if (passage.kind === "prose" && !procedure) {
    text = matchingSentences(passage.text, best);
  } else {
    text = passage.text;
  }
  const title = chunks[passage.chunkIndex]?.sourceTitle;
  const section = passage.heading && passage.heading !== title ? ` (${passage.heading})` : "";
  const from = title ? `From "${title}"${section}: ` : "";
  const quote = text.includes("\n") ? `\n"${text}"` : `"${text}"`;
  return { text, line: `${from}${quote} [${passage.chunkIndex + 1}]` };
}

// "All other vaccinations need an appointment" is the rule for everything the sentence before does not cover.
const COMPLEMENT = /^(?:all other|any other|other|otherwise|for all other|everything else)\b/i;

/**
 * A paragraph's sentences that state something the question asks about or the kind of value it asks for
 * (all of them if none does alone); for a question about a case that did not happen, the ones stating such a
 * case when there are any.
 */
function matchingSentences(paragraph: string, { terms, expected, negated }: Scored): string {
  const sentences = splitSentences(paragraph);
  const kept = sentences.filter(
    (s) =>
      !COMPLEMENT.test(s) &&
      (contentTerms(s).some((t) => terms.has(t)) ||
        [...terms].some((t) => inRange(t, s)) ||
        (expected !== null && statesValue(expected, s))),
  );
  const negative = negated ? kept.filter(statesNegation) : [];
  if (negative.length > 0) return negative.join(" ");
  return (kept.length > 0 ? kept : sentences).join(" ");
}

function dontKnow(context: ChatContext | undefined): string {
  const topics = new Map<string, string>();
  for (const topic of [...(context?.topics ?? []), ...(context?.chunks ?? []).map((c) => c.sourceTitle)]) {
    const trimmed = topic.trim();
    if (trimmed && !topics.has(trimmed.toLowerCase())) topics.set(trimmed.toLowerCase(), trimmed);
  }
  const named = [...topics.values()].slice(0, 5);
  const sorry = "I'm sorry, I don't know the answer to that from the information I have.";
  const person = "If you like, a person from the team can help: choose “Talk to a person”.";
  if (named.length > 0) return `${sorry} I can help with questions about ${listOf(named)}. ${person}`;
  return `${sorry} Could you rephrase your question? ${person}`;
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
