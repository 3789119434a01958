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
    /\b(?:what|which) times?\b|\bhow late\b|\bhow early\b|\blatest\b|\bearliest\b|\bwhen\b|\bopening (?:times|hours)\b|\bum wie viel uhr\b|\bwann\b/,
    "time",
  ],
  [/\bhow many\b|\bwie viele\b/, "count"],
  [/\b(?:phone )?number\b|\bwho do i call\b|\bwhich number\b|\btelefonnummer\b|\bnummer\b/, "phone"],
];

/** Words that only say which kind of value is asked for: they are satisfied by the value, not by the word. */
export const TYPE_WORDS = new Set(["latest", "earliest", "cheapest", "number", "nummer", "extra", "time"]);

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

// "after 2 weeks", "3 days ago": time that has passed in the visitor's case, not a period they ask a price for
// ("a bike for a week").
const ELAPSED = new RegExp(
  `\\b(?:after|since|within|already|for the (?:last|past)) (\\d+|${NUMBER_WORD}) (${TIME_UNIT})\\b|\\b(\\d+|${NUMBER_WORD}) (${TIME_UNIT}) ago\\b`,
);

/** Time the visitor says has passed in their case ("after 2 weeks"): any period a passage states speaks to it. */
export function statedDuration(question: string): { words: string[] } | null {
  const match = ELAPSED.exec(normalize(question));
  if (!match) return null;
  const [number, unit] = match[1] ? [match[1], match[2]!] : [match[3]!, match[4]!];
  return { words: [number, ...unit.split(" ")] };
}

const NEGATION =
  /\b(?:no|not|never|none|nothing|without|cannot|nicht|kein|keine|keinen|ohne|nie)\b|n't\b|\b(?:didnt|dont|doesnt|cant|wont|isnt|arent|havent|hasnt|wasnt)\b/;

/** A question about a case that did not happen or is not so ("didn't get the email", "we can't come"). */
export function isNegated(question: string): boolean {
  return NEGATION.test(normalize(question).replace(/\bno (?:one|idea)\b/g, ""));
}

/** A passage that states a rule for what does not happen or is not allowed. */
export function statesNegation(text: string): boolean {
  return NEGATION.test(normalize(text));
}
