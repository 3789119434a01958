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
  // Features are counted by hash, computed by continuing FNV-1a from a per-family prefix ("w:", "b:", "c:"),
  // the same values as hashing "w:term" etc. without building those strings.
  const unigrams = new Map<number, number>();
  const bigrams = new Map<number, number>();
  const chargrams = new Map<number, number>();
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i]!;
    bump(unigrams, fnv1a(term, UNIGRAM_SEED));
    const next = terms[i + 1];
    if (next !== undefined) bump(bigrams, fnv1a(next, fnv1a(" ", fnv1a(term, BIGRAM_SEED))));
    const padded = `#${term}#`;
    for (let j = 0; j + 3 <= padded.length; j++) {
      const three = fnv1a(padded, CHARGRAM_SEED, j, j + 3);
      bump(chargrams, three);
      if (j + 4 <= padded.length) bump(chargrams, fnv1a(padded, three, j + 3, j + 4));
    }
  }
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  addFamily(vector, unigrams, WEIGHTS.unigram);
  addFamily(vector, bigrams, WEIGHTS.bigram);
  addFamily(vector, chargrams, WEIGHTS.chargram);
  return l2Normalize(Array.from(vector));
}

function bump(counts: Map<number, number>, hash: number) {
  counts.set(hash, (counts.get(hash) ?? 0) + 1);
}

function addFamily(vector: Float64Array, counts: Map<number, number>, weight: number) {
  if (counts.size === 0) return;
  const family = new Float64Array(EMBEDDING_DIMENSIONS);
  for (const [hash, count] of counts) {
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

/** FNV-1a over text[start, end), continuing from `seed` (a previous result) so prefixes hash once. */
function fnv1a(text: string, seed: number, start = 0, end = text.length): number {
  let hash = seed;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const UNIGRAM_SEED = fnv1a("w:", FNV_OFFSET);
const BIGRAM_SEED = fnv1a("b:", FNV_OFFSET);
const CHARGRAM_SEED = fnv1a("c:", FNV_OFFSET);

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
