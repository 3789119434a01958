// Visitors rarely use the document's word. Each group folds words that mean the same thing to a customer into
// one term (its first word's stem), for documents and questions alike, so "cost" finds "price" in
// retrieval and in the offline answer. The groups are general help-desk vocabulary, not any one business's.

/** Multi-word phrases rewritten before tokenising (normalised text: lowercase, no accents). */
const PHRASES: [RegExp, string][] = [
  [/\bhow much\b/g, "price"],
  [/\b(?:what|which) time\b/g, "when"],
  // "how long", "how many" ask for the figure the passage states; the words themselves are not the topic.
  [/\bhow (?:long|many|often|far)\b/g, "how"],
  [/\b(?:set ?up|turn on|switch on|activate|enable)\b/g, "enable"],
  [/\b(?:whole|entire|full|all) day\b/g, "fullday"],
  [/\b24 hours?\b/g, "fullday 24 hours"],
  [/\bhalf[- ]day\b/g, "halfday"],
  [/\bmoney back\b/g, "refund"],
  [/\b(?:send|bring|give|take) ((?:\w+ ){0,2})back\b/g, "return $1"],
  [/\btake ((?:\w+ ){0,2})out\b/g, "borrow $1"],
  [/\b(?:2fa|mfa|two[- ]factor|2[- ]factor|two[- ]step)\b/g, "twofactor"],
  [/\bcheck[- ]?in\b/g, "checkin"],
  [/\bcheck[- ]?out\b/g, "checkout"],
  [/\bsign[- ]?in\b/g, "login"],
  [/\blog[- ]?in\b/g, "login"],
  [/\bclose (?:my |the |an |our )?account\b/g, "delete account"],
  [/\b(?:last[- ]minute|short notice)\b/g, "late"],
  [/\b(?:after hours|at night|out of hours|outside (?:of )?(?:opening|office) hours)\b/g, "afterhours"],
  [/\bwi[- ]?fi\b/g, "wifi"],
  [/\bjob openings?\b/g, "job"],
  [/\bfor good\b/g, "permanently"],
  [/\bafter (?:the|their|its|your) (?:agreed time|due date|return date)\b/g, "late"],
  [/\be[- ]bike/g, "ebike"],
  // "30% off" (the % is gone after tokenising) is a discount.
  [/\b(\d+) off\b/g, "$1 discount"],
  [/\b(?:sign(?:ing)? up|become a member|get a (?:library |member(?:ship)? )?card)\b/g, "join"],
];

/** Words that mean the same thing to a visitor; each is folded to the stem of its group's first word. */
export const SYNONYM_GROUPS: string[][] = [
  // Not "charge": "charging cable" and "charging points" are not about money.
  ["price", "cost", "fee", "tariff", "cheap", "cheaper", "expensive", "kosten", "preis", "gebühr"],
  ["size", "big", "large", "dimensions", "größe", "groß"],
  ["refund", "reimburse", "repay", "erstattung"],
  ["cancel", "cancelled", "cancellation", "cancelation", "stornierung", "stornieren"],
  ["delivery", "deliver", "ship", "shipping", "postage", "dispatch", "versand", "lieferung"],
  ["child", "children", "kid", "kinder", "kind"],
  ["pet", "dog", "cat", "hund"],
  ["shuttle", "transfer"],
  ["renew", "extend", "prolong", "extension", "verlängern"],
  ["late", "later", "overdue", "delay", "verspätet"],
  ["phone", "telephone", "call", "ring", "anrufen"],
  ["export", "download", "spreadsheet", "csv", "excel"],
  ["protection", "insurance", "coverage", "versicherung"],
  ["theft", "stolen", "steal", "stole", "thief", "robbery", "diebstahl"],
  ["lost", "lose", "loss", "verloren"],
  ["annual", "yearly", "annually", "jährlich"],
  ["monthly", "monatlich"],
  ["vaccination", "vaccine", "jab", "shot", "immunization", "impfung"],
  ["ill", "sick", "illness", "sickness", "unwell", "krank"],
  ["parking", "park", "garage", "carpark", "parkplatz"],
  ["discount", "reduction", "reduced", "concession", "rabatt", "ermäßigung"],
  ["borrow", "loan", "lend", "keep", "ausleihen"],
  ["rent", "hire", "rental", "mieten", "verleih"],
  ["guest", "people", "person", "occupant"],
  ["open", "opening", "geöffnet", "öffnungszeiten"],
  ["password", "passwort", "passcode"],
  ["appointment", "termin"],
  ["photo", "picture", "foto"],
  ["breakfast", "frühstück"],
  ["doctor", "physician", "gp", "arzt"],
  ["purchase", "buy", "bought", "kaufen"],
  ["delete", "deletion", "remove", "erase", "gone", "löschen"],
  ["pay", "paid", "bezahlen"],
  ["install", "installer", "installation", "installieren"],
  ["job", "career", "vacancy", "hiring", "stelle"],
  ["medicine", "meds", "medication", "drug", "pill", "tablet", "medikament"],
  ["online", "website", "portal", "web", "internet", "app"],
  ["luggage", "bag", "baggage", "suitcase", "gepäck", "koffer"],
  ["join", "register", "registration", "enrol", "enroll", "enrolment", "anmelden", "registrieren"],
];

export function rewritePhrases(normalized: string): string {
  let text = normalized;
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  return text;
}

// Words the phrase and synonym tables produce or name: real words, never to be "corrected" as typos.
const KNOWN_WORDS = new Set([
  ...PHRASES.flatMap(([, replacement]) => replacement.split(" ")),
  ...SYNONYM_GROUPS.flat().flatMap((w) => w.split(" ")),
]);

export function isKnownWord(word: string): boolean {
  return KNOWN_WORDS.has(word);
}
