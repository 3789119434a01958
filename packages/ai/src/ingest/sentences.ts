// Common abbreviations that end in a period but do not end a sentence.
const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|no|inc|ltd|approx|fig)\.)$/i;

/** Splits prose into sentences; line breaks (list items, headings) always end a sentence. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split(/\n+/)) {
    const parts = line.split(/(?<=[.!?]["”')\]]?)\s+(?=["“'([]?[A-Z0-9])/);
    let pending = "";
    for (const part of parts) {
      pending = pending ? `${pending} ${part}` : part;
      if (ABBREVIATIONS.test(pending)) continue;
      if (pending.trim()) sentences.push(pending.trim());
      pending = "";
    }
    if (pending.trim()) sentences.push(pending.trim());
  }
  return sentences;
}
