import { isViseme, type Viseme } from "./visemes";

/**
 * One language's text-to-viseme rules. Every language module exports one of these, so adding a
 * language is one small file (the idea of TalkingHead's lipsync-<lang>.mjs modules).
 */
export interface LipsyncLanguage {
  lang: string;
  /** Turns written text into speakable lowercase words: numbers and symbols spelled out, markup dropped. */
  preProcess(text: string): string;
  /** Visemes for one preprocessed word, in order. */
  wordToVisemes(word: string): Viseme[];
}

/**
 * Rules are `[pattern, visemes]`: the pattern is a regular expression tried at the current letter
 * (lookbehind/lookahead give context, `$` the word end); the first match wins and consumes its text.
 */
export type Rule = readonly [pattern: string, visemes: string];

export function compileRules(rules: readonly Rule[]): (word: string) => Viseme[] {
  const compiled = rules.map(([pattern, output]) => {
    const produced = output.split(" ").filter((v) => v.length > 0);
    for (const v of produced) if (!isViseme(v)) throw new Error(`unknown viseme ${v} in rule ${pattern}`);
    return { regex: new RegExp(pattern, "uy"), visemes: produced as Viseme[] };
  });
  return (word) => {
    const out: Viseme[] = [];
    let i = 0;
    while (i < word.length) {
      let advanced = false;
      for (const rule of compiled) {
        rule.regex.lastIndex = i;
        const match = rule.regex.exec(word);
        if (match && match[0].length > 0) {
          for (const v of rule.visemes) if (out[out.length - 1] !== v) out.push(v);
          i += match[0].length;
          advanced = true;
          break;
        }
      }
      // Letters no rule knows (digits, foreign scripts) are silent.
      if (!advanced) i += [...word.slice(i, i + 2)][0]!.length;
    }
    return out;
  };
}

/** Spells every digit: good enough for mouth shapes, and language modules supply the digit names. */
export function spellDigits(text: string, digitNames: readonly string[]): string {
  return text.replace(/\d/g, (d) => ` ${digitNames[Number(d)]} `);
}

/** Removes Markdown and URL noise that would otherwise be "spoken" by the mouth. */
export function stripMarkup(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/[`*_#>[\](){}|~<>"]/g, " ")
    .replace(/\s+/g, " ");
}
