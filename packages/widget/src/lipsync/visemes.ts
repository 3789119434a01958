/** The Oculus viseme set; Ready Player Me and many GLB avatars name their morph targets `viseme_<name>`. */
export const visemes = [
  "sil",
  "PP",
  "FF",
  "TH",
  "DD",
  "kk",
  "CH",
  "SS",
  "nn",
  "RR",
  "aa",
  "E",
  "ih",
  "oh",
  "ou",
] as const;

export type Viseme = (typeof visemes)[number];

/** Relative length of each viseme (1 = an average sound); vowels hold longer than plosives. */
export const visemeDurations: Record<Viseme, number> = {
  sil: 1,
  PP: 0.9,
  FF: 0.9,
  TH: 0.9,
  DD: 0.75,
  kk: 0.8,
  CH: 1,
  SS: 1,
  nn: 0.8,
  RR: 0.8,
  aa: 1.2,
  E: 1.1,
  ih: 1,
  oh: 1.2,
  ou: 1.1,
};

export function isViseme(value: string): value is Viseme {
  return (visemes as readonly string[]).includes(value);
}
