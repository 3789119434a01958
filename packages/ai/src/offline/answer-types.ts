import { normalize } from "../embedding/words";

/**
 * What kind of value a question asks for: "how long" wants a duration, "how much" a price, "what time" a time
 * of day, "how many" a count, "what's the number" a phone number. A passage stating such a value is more likely
 * the answer than one that only repeats the question's words, and the sentence stating it belongs in the quote
 * even when it names the topic only by a pronoun ("They are ready after 2 working days").
 */
export type AnswerType = "duration" | "price" | "time" | "count" | "phone";

const NUMBER_WORD =
  "(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|an|ein|eine|einen|zwei|drei|vier)";
const TIME_UNIT =
  "(?:working |business |calendar )?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|nights?|" +
  "minuten|stunden?|tagen?|tage|wochen?|monaten?|monate|jahren?|jahre|nachte?|werktagen?|werktage)";
const DURATION = new RegExp(
  `\\b(?:\\d+(?:[.,]\\d+)?(?:\\s*(?:-|–|to|bis)\\s*\\d+)?|${NUMBER_WORD})\\s*${TIME_UNIT}\\b`,
);
const MONEY =
  /[€$£]\s?\d|\d\s?(?:€|\$|£)|\b\d+(?:[.,]\d+)?\s?(?:eur|euros?|cents?|usd|chf|gbp|dollars?|pounds?)\b|\bfree\b|\bno (?:extra |additional )?(?:cost|charge)\b|\bkostenlos\b|\bgratis\b|\bumsonst\b|\d\s?%|\bpercent\b|\bprozent\b/;
const WEEKDAY =
  /\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweekdays?\b|\bweekends?\b|\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)e?s?\b/;
const CLOCK = /\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm|uhr)\b|\bnoon\b|\bmidnight\b|\baround the clock\b/;
const COUNT =
  /\b\d+\b|\bunlimited\b|\bunbegrenzt\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice)\b/;
const PHONE = /\b\d{3}(?:[ /-]?\d{2,})*\b/;

// Checked in order on the normalised question: "how many days" is a duration before it is a count.
const QUESTION_TYPES: [RegExp, AnswerType][] = [
  [
    new RegExp(`\\bhow (?:long|many ${TIME_UNIT}|soon)\\b|\\bwie lange?\\b|\\bwie viele ${TIME_UNIT}`),
    "duration",
  ],
  [
    /\bhow much\b|\bwie viel\b|\bcheapest\b|\bcost\b|\bcosts\b|\bprice\b|\bfee\b|\bextra\b|\bfor free\b|\bkostet\b/,
    "price",
  ],
  [
    /\b(?:what|which) time\b|\bhow late\b|\bhow early\b|\blatest\b|\bearliest\b|\bwhen\b|\bum wie viel uhr\b|\bwann\b/,
    "time",
  ],
  [/\bhow many\b|\bwie viele\b/, "count"],
  [/\b(?:phone )?number\b|\bwho do i call\b|\bwhich number\b|\btelefonnummer\b|\bnummer\b/, "phone"],
];

/** Words that only say which kind of value is asked for: they are satisfied by the value, not by the word. */
export const TYPE_WORDS = new Set(["latest", "earliest", "cheapest", "number", "nummer", "extra"]);

export function expectedAnswer(question: string): AnswerType | null {
  const text = normalize(question);
  for (const [pattern, type] of QUESTION_TYPES) if (pattern.test(text)) return type;
  return null;
}

/** Whether a text states a value of the kind asked for ("how much" is also answered by a share: "12 percent"). */
export function statesValue(type: AnswerType, text: string): boolean {
  const t = normalize(text);
  switch (type) {
    case "duration":
      return DURATION.test(t);
    case "price":
      return MONEY.test(t);
    case "time":
      return CLOCK.test(t) || WEEKDAY.test(t) || DURATION.test(t);
    case "count":
      return COUNT.test(t);
    case "phone":
      return PHONE.test(t);
  }
}

/** A duration the visitor states about their own case ("after 2 weeks"): matched by any duration a passage states. */
export function statedDuration(question: string): { words: string[] } | null {
  const match = new RegExp(`\\b(\\d+|${NUMBER_WORD})\\s*(${TIME_UNIT})\\b`).exec(normalize(question));
  return match ? { words: [match[1]!, ...match[2]!.split(" ")] } : null;
}
