// Cuts a streamed answer into sentences as they finish, so each can be spoken while the next is written.

const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|no|inc|ltd|approx|fig|st)\.$/i;
/** A sentence ends at . ! ? … (with closing quotes or brackets) followed by white space, or at a line break. */
const END = /[.!?…]+["”')\]]*(?=\s)|\n+/g;
/** Shorter pieces ("1.", "Yes.") wait for the next sentence: one request instead of two tiny ones. */
const MIN_CHARS = 12;

export interface SentenceStream {
  /** Adds streamed text; returns the sentences it finished, in order. */
  push(text: string): string[];
  /** The end of the answer: whatever is left, as a last sentence (or nothing). */
  flush(): string[];
}

export function createSentenceStream(minChars = MIN_CHARS): SentenceStream {
  let buffer = "";
  return {
    push(text) {
      buffer += text;
      const out: string[] = [];
      let start = 0;
      END.lastIndex = 0;
      for (let match = END.exec(buffer); match; match = END.exec(buffer)) {
        const end = match.index + match[0].length;
        const sentence = buffer.slice(start, end).trim();
        if (match[0][0] !== "\n" && ABBREVIATION.test(sentence)) continue;
        if (sentence.length < minChars && match[0][0] !== "\n") continue;
        if (sentence) out.push(sentence);
        start = end;
      }
      buffer = buffer.slice(start);
      return out;
    },
    flush() {
      const rest = buffer.trim();
      buffer = "";
      return rest ? [rest] : [];
    },
  };
}
