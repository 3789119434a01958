import { type Database, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { citationsFrom } from "../../prompt/citations";
import type { Provider } from "../../provider/types";
import { hybridSearch, type SearchHit } from "../../retrieval/hybrid-search";
import type { SeededCorpus } from "../seed-corpus";
import type { EvalQuestion } from "./questions";

/** The worker hands the model this many passages (RETRIEVAL_LIMIT in the worker's retrieve.ts). */
const PASSAGES = 5;

export interface EvalOutcome {
  question: EvalQuestion;
  answer: string;
  passed: boolean;
  /** Why it failed, for reading the tuning half's misses. */
  reason?: string;
  ms: number;
}

export interface EvalReport {
  /** Answerable questions answered with every key phrase, no wrong rule, quoted from the cited document. */
  answerable: number;
  /** Unanswerable questions declined (no citation). */
  unanswerable: number;
  /** Median and 95th percentile time per answer: embed, search, compose. */
  medianMs: number;
  p95Ms: number;
  outcomes: EvalOutcome[];
}

/** Asks each question the way the worker does (embed, hybrid search top 5, provider.streamChat) and judges it. */
export async function measureEvalSet(
  db: Kysely<Database>,
  provider: Provider,
  corpus: SeededCorpus,
  questions: readonly EvalQuestion[],
): Promise<EvalReport> {
  const outcomes: EvalOutcome[] = [];
  for (const q of questions) {
    const started = performance.now();
    const hits = await retrieveFor(db, provider, corpus, q.question);
    let answer = "";
    for await (const event of provider.streamChat([{ role: "user", content: q.question }], {
      context: { chunks: hits },
    })) {
      if (event.type === "delta") answer += event.text;
    }
    const ms = performance.now() - started;
    outcomes.push({ question: q, answer, ms, ...judgeAnswer(q, answer, hits, corpus) });
  }
  const answerable = outcomes.filter((o) => o.question.document !== null);
  const unanswerable = outcomes.filter((o) => o.question.document === null);
  const share = (list: EvalOutcome[]) =>
    list.length === 0 ? 1 : list.filter((o) => o.passed).length / list.length;
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  return {
    answerable: share(answerable),
    unanswerable: share(unanswerable),
    medianMs: at(0.5),
    p95Ms: at(0.95),
    outcomes,
  };
}

/** The passages the worker would hand the model for this question (RETRIEVAL_LIMIT of them). */
export function retrieveFor(
  db: Kysely<Database>,
  provider: Provider,
  corpus: SeededCorpus,
  question: string,
): Promise<SearchHit[]> {
  return provider.embed([question]).then(([embedding]) =>
    withTenant(db, corpus.tenantId, (tx) =>
      hybridSearch(tx, {
        tenantId: corpus.tenantId,
        chatbotId: corpus.chatbotId,
        embedding: embedding!,
        text: question,
        limit: PASSAGES,
      }),
    ),
  );
}

/** Passed: the key phrases, from the cited document, without the wrong rule; or, unanswerable, declined. */
export function judgeAnswer(
  q: EvalQuestion,
  answer: string,
  hits: readonly SearchHit[],
  corpus: SeededCorpus,
): { passed: boolean; reason?: string } {
  const cited = citationsFrom(hits, answer);
  const expected = q.document === null ? undefined : corpus.sourceIds.get(q.document);
  if (q.document === null) {
    return cited.length === 0 ? { passed: true } : { passed: false, reason: "answered instead of declining" };
  }
  if (cited.length === 0) return { passed: false, reason: "declined" };
  // Only the lines that cite the expected document count: the quote must come from the source it names.
  const fromExpected = answer
    .split(/\n\s*\n/)
    .filter((line) =>
      [...line.matchAll(/\[(\d+)\]/g)].some((m) => hits[Number(m[1]) - 1]?.sourceId === expected),
    )
    .join("\n");
  if (!fromExpected) return { passed: false, reason: "cites another document" };
  const text = normalizeForMatch(fromExpected);
  const missing = q.mustContain.filter(
    (phrase) => !phrase.split("|").some((option) => text.includes(normalizeForMatch(option))),
  );
  if (missing.length > 0) return { passed: false, reason: `missing ${missing.join(", ")}` };
  if (q.wrongRule && normalizeForMatch(answer).includes(normalizeForMatch(q.wrongRule))) {
    return { passed: false, reason: `quoted the wrong rule (${q.wrongRule})` };
  }
  return { passed: true };
}

/** Case, dashes and spacing do not matter when looking for a key phrase. */
function normalizeForMatch(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2010-\u2015]/g, "-")
    .replace(/\s+/g, " ");
}
