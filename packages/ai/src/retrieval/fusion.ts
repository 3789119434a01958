/** The RRF constant from Cormack et al. (2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

export interface RankedLists<T> {
  vector: readonly T[];
  text: readonly T[];
}

export interface Fused<T> {
  item: T;
  score: number;
  /** 1-based rank in each list, null when the item was not in it. */
  vectorRank: number | null;
  textRank: number | null;
}

/**
 * Reciprocal rank fusion: score = Σ 1/(k + rank) over the lists an item appears in. Uses ranks only, so the
 * incomparable scales of cosine distance and ts_rank_cd never need calibrating. Ties keep vector order first.
 */
export function reciprocalRankFusion<T>(
  lists: RankedLists<T>,
  keyOf: (item: T) => string,
  k: number = RRF_K,
): Fused<T>[] {
  const fused = new Map<string, Fused<T>>();
  const add = (items: readonly T[], field: "vectorRank" | "textRank") => {
    items.forEach((item, index) => {
      const key = keyOf(item);
      const entry = fused.get(key) ?? { item, score: 0, vectorRank: null, textRank: null };
      if (entry[field] !== null) return;
      entry[field] = index + 1;
      entry.score += 1 / (k + index + 1);
      fused.set(key, entry);
    });
  };
  add(lists.vector, "vectorRank");
  add(lists.text, "textRank");
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
