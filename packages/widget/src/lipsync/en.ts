import { compileRules, type LipsyncLanguage, spellDigits, stripMarkup } from "./rules";

const digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

// Ordered: longer spellings before the letters they start with.
const wordToVisemes = compileRules([
  ["tion", "SS ih nn"],
  ["igh", "aa ih"],
  ["(?<=[a-z])e$", ""], // silent final e ("make")
  ["th", "TH"],
  ["ch|tch", "CH"],
  ["sh", "CH"],
  ["ph", "FF"],
  ["wh", "ou"],
  ["ck", "kk"],
  ["ng", "nn"],
  ["qu", "kk ou"],
  ["ee|ea|ie", "ih"],
  ["oo", "ou"],
  ["ou|ow", "aa ou"],
  ["ai|ay|ei|ey", "E ih"],
  ["oa", "oh"],
  ["oi|oy", "oh ih"],
  ["au|aw", "oh"],
  ["ar", "aa RR"],
  ["or", "oh RR"],
  ["er|ir|ur", "RR"],
  ["[bmp]", "PP"],
  ["[fv]", "FF"],
  ["[dt]", "DD"],
  ["[ln]", "nn"],
  ["[cgkq]", "kk"],
  ["x", "kk SS"],
  ["[sz]", "SS"],
  ["j", "CH"],
  ["r", "RR"],
  ["w", "ou"],
  ["h", ""],
  ["a", "aa"],
  ["e", "E"],
  ["[iy]", "ih"],
  ["o", "oh"],
  ["u", "ou"],
]);

export const english: LipsyncLanguage = {
  lang: "en",
  preProcess: (text) =>
    spellDigits(stripMarkup(text), digits)
      .replace(/&/g, " and ")
      .replace(/%/g, " percent ")
      .toLowerCase()
      .replace(/[^\p{L}\s'.,!?;:-]/gu, " ")
      .replace(/\s+/g, " ")
      .trim(),
  wordToVisemes: (word) => wordToVisemes(word.replace(/'/g, "")),
};
