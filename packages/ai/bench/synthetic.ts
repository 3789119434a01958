/** Mulberry32: a tiny seeded PRNG so every bench run indexes the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e5) / 1e5);
}

/**
 * Unit vectors scattered around random cluster centres, like embeddings of documents on a few hundred topics
 * (uniform random vectors would be unrealistically hard for an ANN index and unlike real text).
 */
export function syntheticClusters(
  random: () => number,
  options: { rows: number; clusters: number; dimensions: number; spread?: number },
) {
  const spread = options.spread ?? 0.6;
  const centres = Array.from({ length: options.clusters }, () =>
    normalize(Array.from({ length: options.dimensions }, () => gaussian(random))),
  );
  const around = () => {
    const centre = centres[Math.floor(random() * centres.length)]!;
    return normalize(centre.map((c) => c + (spread * gaussian(random)) / Math.sqrt(options.dimensions)));
  };
  return {
    vectors: Array.from({ length: options.rows }, around),
    /** Fresh points from the same distribution, not in the table. */
    queries: (count: number) => Array.from({ length: count }, around),
  };
}
