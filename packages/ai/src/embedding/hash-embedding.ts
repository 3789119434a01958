import { EMBEDDING_DIMENSIONS } from "../provider/types";
import { contentTerms } from "./words";

// Relative weight of each feature family in the final vector. Words carry topic, bigrams carry phrases,
// character n-grams make the embedding tolerant of typos and word forms the stemmer misses.
const WEIGHTS = { unigram: 1, bigram: 0.55, chargram: 0.6 };

/**
 * Offline embedding: signed feature hashing of word unigrams, word bigrams and character 3/4-grams into
 * EMBEDDING_DIMENSIONS dimensions, each family L2-normalised, then the sum L2-normalised (cosine-ready).
 * Lexical only: it knows nothing about synonyms or meaning beyond shared words and spellings.
 */
export function hashEmbedding(text: string): number[] {
  const terms = contentTerms(text);
  const unigrams = new Map<string, number>();
  const bigrams = new Map<string, number>();
  const chargrams = new Map<string, number>();
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i]!;
    bump(unigrams, `w:${term}`);
    if (i + 1 < terms.length) bump(bigrams, `b:${term} ${terms[i + 1]}`);
    const padded = `#${term}#`;
    for (const n of [3, 4]) {
      for (let j = 0; j + n <= padded.length; j++) bump(chargrams, `c:${padded.slice(j, j + n)}`);
    }
  }
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  addFamily(vector, unigrams, WEIGHTS.unigram);
  addFamily(vector, bigrams, WEIGHTS.bigram);
  addFamily(vector, chargrams, WEIGHTS.chargram);
  return l2Normalize(Array.from(vector));
}

function bump(counts: Map<string, number>, key: string) {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function addFamily(vector: Float64Array, counts: Map<string, number>, weight: number) {
  if (counts.size === 0) return;
  const family = new Float64Array(EMBEDDING_DIMENSIONS);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature);
    // Sub-linear term frequency: a word repeated ten times is not ten times as topical.
    const value = 1 + Math.log(count);
    // The sign bit comes from a different part of the hash than the bucket, so collisions cancel on average.
    family[hash % EMBEDDING_DIMENSIONS]! += (hash & 0x80000000) === 0 ? value : -value;
  }
  let norm = 0;
  for (const v of family) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  for (let i = 0; i < family.length; i++) vector[i]! += (weight * family[i]!) / norm;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function l2Normalize(vector: number[]): number[] {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  // An empty text embeds to the zero vector; pgvector's cosine distance treats it as NaN, so nudge it.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((v) => v / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
