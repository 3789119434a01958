// Tokenisation shared by the offline embedder and the offline answerer, so both agree on what a "word" is.

const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between " +
    "both but by can could did do does doing down during each few for from further had has have having he her " +
    "here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not " +
    "now of off on once only or other our ours ourselves out over own same she should so some such than that the " +
    "their theirs them themselves then there these they this those through to too under until up very was we " +
    "were what when where which while who whom why will with would you your yours yourself yourselves " +
    "also may might must shall us let get got yes ok okay please thanks thank"
  ).split(" "),
);

/** Lowercase, strip accents, unify apostrophes; keeps letters and digits. */
export function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'");
}

/** Every word (letters/digits) in order, normalised, stopwords included. */
export function words(text: string): string[] {
  return normalize(text).match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/**
 * A deliberately small suffix stripper ("stemming-lite"): folds plurals and common verb forms
 * (refunds/refunded/refunding → refund) without a full Porter stemmer's surprises.
 */
export function stem(word: string): string {
  let w = word.replace(/'s$/, "").replace(/'/g, "");
  if (w.length <= 3 || /^\d+$/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith("sses")) return w.slice(0, -2);
  for (const suffix of ["ingly", "edly", "ing", "ed", "ly"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      // shipped → shipp → ship; running → runn → run
      if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
      return w;
    }
  }
  if (w.endsWith("es") && /(?:ch|sh|x|z|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) return w.slice(0, -1);
  return w;
}

/** Stemmed words with stopwords removed: the terms that carry meaning. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !isStopword(w))
    .map(stem)
    .filter((w) => w.length > 0);
}
