import { compileRules, type LipsyncLanguage, spellDigits, stripMarkup } from "./rules";

const digits = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"];

// Ordered: longer spellings before the letters they start with.
const wordToVisemes = compileRules([
  ["sch", "CH"],
  ["^s(?=[pt])", "CH"], // "sp"/"st" at the word start are "schp"/"scht"
  ["tsch", "DD CH"],
  ["ch", "kk"],
  ["ck", "kk"],
  ["ng", "nn"],
  ["qu", "kk FF"],
  ["pf", "FF"],
  ["ph", "FF"],
  ["th", "DD"],
  ["tz|z", "DD SS"],
  ["ei|ai", "aa ih"],
  ["eu|äu", "oh ih"],
  ["au", "aa ou"],
  ["ie", "ih"],
  ["(?<=[aeiouäöü])h", ""], // lengthening h ("sehr") is silent
  ["er$", "E RR"],
  ["[bmp]", "PP"],
  ["[fvw]", "FF"],
  ["[dt]", "DD"],
  ["[ln]", "nn"],
  ["[cgk]", "kk"],
  ["x", "kk SS"],
  ["[sß]", "SS"],
  ["j", "ih"],
  ["r", "RR"],
  ["h", ""],
  ["a", "aa"],
  ["[eä]", "E"],
  ["[iy]", "ih"],
  ["[oö]", "oh"],
  ["[uü]", "ou"],
]);

export const german: LipsyncLanguage = {
  lang: "de",
  preProcess: (text) =>
    spellDigits(stripMarkup(text), digits)
      .replace(/&/g, " und ")
      .replace(/%/g, " prozent ")
      .replace(/€/g, " euro ")
      .toLowerCase()
      .replace(/[^\p{L}\s'.,!?;:-]/gu, " ")
      .replace(/\s+/g, " ")
      .trim(),
  wordToVisemes: (word) => wordToVisemes(word),
};
