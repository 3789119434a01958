import { rewritePhrases, SYNONYM_GROUPS } from "./synonyms";

// Tokenisation shared by the offline embedder and the offline answerer, so both agree on what a "word" is.
// Languages: the widget ships English and German; a text's language is guessed from its stopwords.

export type Language = "en" | "de";

const STOPWORDS: Record<Language, Set<string>> = {
  en: new Set(
    (
      "a about above after again against all am an and any are as at be because been before being below between " +
      "both but by can could did do does doing down during each few for from further had has have having he her " +
      "here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not " +
      "now of off on once only or other our ours ourselves out over own same she should so some such than that the " +
      "their theirs them themselves then there these they this those through to too under until up very was we " +
      "were what when where which while who whom why will with would you your yours yourself yourselves " +
      "also may might must shall us let get got yes ok okay please thanks thank u ur im i'm whats what's " +
      "hi hello hey there's it's can't cant dont don't does doesn't need want like know tell still any anything " +
      "stuff thing things something really actually guys pls plz"
    ).split(" "),
  ),
  de: new Set(
    (
      "der die das den dem des ein eine einer einen einem eines und oder aber nicht kein keine ist sind war waren " +
      "bin bist sein seid wird werden wurde kann konnen muss mussen darf soll will mochte ich du er sie es wir ihr " +
      "mich mir dich dir uns euch ihnen ihr ihre mein meine dein deine unser unsere zu zum zur von vom mit auf aus " +
      "bei fur uber unter vor nach an am im in ins wie was wann wo warum welche welcher welches wer ob dass auch " +
      "noch schon nur so sehr hier da dann denn doch mal bitte danke ja nein hallo gibt es man habe haben hat"
    ).split(" "),
  ),
};

/** Lowercase, strip accents, unify apostrophes; keeps letters and digits. */
export function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[\u2018\u2019]/g, "'");
}

/** Every word (letters/digits) in order, normalised, stopwords included. */
export function words(text: string): string[] {
  return normalize(text).match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

/** German when a text uses more German than English stopwords. */
export function detectLanguage(tokens: readonly string[]): Language {
  let de = 0;
  let en = 0;
  for (const t of tokens) {
    if (STOPWORDS.de.has(t) && !STOPWORDS.en.has(t)) de++;
    else if (STOPWORDS.en.has(t) && !STOPWORDS.de.has(t)) en++;
  }
  return de > en ? "de" : "en";
}

export function isStopword(word: string, language: Language = "en"): boolean {
  return STOPWORDS[language].has(word);
}

/**
 * A deliberately small suffix stripper ("stemming-lite"): folds plurals and common verb forms
 * (refunds/refunded/refunding → refund, charge/charged → charg) without a full Porter stemmer's surprises.
 */
export function stem(word: string, language: Language = "en"): string {
  if (language === "de") return stemGerman(word);
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
  if (w.endsWith("es") && /(?:ch|sh|x|zz|ss)es$/.test(w)) return w.slice(0, -2);
  // "skis", "taxis" are plurals; "basis", "axis", "tennis", "iris" are not.
  if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !/(?:[sxnrh])is$/.test(w))
    w = w.slice(0, -1);
  // charge/charged, price/priced: a final silent e goes, as it does before -ed/-ing.
  if (w.length > 4 && /[^aeiou]e$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** A light German stemmer (after CISTEM): strips -em/-er/-nd, then -e/-s/-n/-t (Preise → preis). */
function stemGerman(word: string): string {
  let w = word;
  if (/^\d+$/.test(w)) return w;
  while (w.length > 3) {
    if (w.length > 5 && /(?:em|er|nd)$/.test(w)) w = w.slice(0, -2);
    else if (/[esnt]$/.test(w)) w = w.slice(0, -1);
    else break;
  }
  return w;
}

// Each synonym's stem → its group's term, per language: the German stemmer reads the English "career" as
// "car", which in an English text is another word.
const CANONICAL: Record<Language, Map<string, string>> = {
  en: canonicalStems("en"),
  de: canonicalStems("de"),
};

function canonicalStems(language: Language): Map<string, string> {
  return new Map(
    SYNONYM_GROUPS.flatMap((group) => {
      const term = stem(normalize(group[0]!));
      return group.map((w) => [stem(normalize(w), language), term] as const);
    }),
  );
}

/** The synonym group's term for a stemmed word, or the word itself. */
export function canonicalTerm(stemmed: string, language: Language = "en"): string {
  return CANONICAL[language].get(stemmed) ?? stemmed;
}

/** Stemmed words with stopwords removed, synonyms folded to one term: the terms that carry meaning. */
export function contentTerms(text: string): string[] {
  const tokens = rewritePhrases(words(text).join(" ")).split(" ").filter(Boolean);
  const language = detectLanguage(tokens);
  return tokens
    .filter((w) => !isStopword(w, language))
    .map((w) => stem(w, language))
    .filter((w) => w.length > 0 && !isStopword(w, language))
    .map((w) => canonicalTerm(w, language));
}
