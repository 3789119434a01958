import { countTokens } from "../tokens";
import { splitSentences } from "./sentences";

export interface ChunkOptions {
  targetTokens?: number;
  overlapTokens?: number;
}

export interface TextChunk {
  ordinal: number;
  content: string;
  tokenCount: number;
  metadata: { headingPath: string[] };
}

interface Block {
  text: string;
  path: string[];
}

/**
 * Splits extracted text into retrieval chunks of about `targetTokens`: whole paragraphs where they fit, else
 * sentences, else word runs. A chunk starts with its section's heading (so it is findable by it) and repeats
 * the previous chunk's last ~`overlapTokens` of the same section, so a fact on a boundary is not lost.
 */
export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
  return [...textChunks(text, options)];
}

/** `chunkText`'s chunks one at a time, as they are cut: a large document's chunks need not all be held. */
function* textChunks(text: string, options: ChunkOptions = {}): Generator<TextChunk, void, void> {
  const target = options.targetTokens ?? 350;
  const overlap = Math.min(options.overlapTokens ?? 50, Math.floor(target / 2));
  let ordinal = 0;
  let pieces: string[] = [];
  let body: string[] = [];
  let path: string[] = [];
  let chunkPath: string[] = [];

  const size = () => countTokens(pieces.join("\n\n"));
  /** Ends the chunk being built: the finished chunk, or nothing when it has no body yet. */
  const flush = (): TextChunk[] => {
    const content = pieces.join("\n\n").trim();
    const done = body.length > 0 ? [chunkOf(ordinal++, content, chunkPath)] : [];
    pieces = [];
    body = [];
    return done;
  };
  const addBody = (piece: string) => {
    // A chunk opens with its full heading path ("Returns > Damaged items") so it is findable by it.
    if (body.length === 0) {
      chunkPath = path;
      pieces = path.length > 0 ? [path.join(" > ")] : [];
    }
    pieces.push(piece);
    body.push(piece);
  };

  for (const block of blocks(text)) {
    const sectionChanged = block.path.join("\u0000") !== path.join("\u0000");
    path = block.path;
    if (sectionChanged && body.length > 0) {
      // Tiny sections share a chunk; a chunk already half full ends where the section does.
      if (size() > target / 2) yield* flush();
      else if (path.length > 0) pieces.push(path.at(-1)!);
    }
    for (const piece of splitToFit(block.text, target)) {
      if (body.length > 0 && size() + countTokens(piece) > target) {
        // Overlap only inside one section: text from another heading would mislabel the new chunk.
        const carried = chunkPath.join("\u0000") === path.join("\u0000") ? tail(body, overlap) : [];
        yield* flush();
        for (const sentence of carried) addBody(sentence);
      }
      addBody(piece);
    }
  }
  yield* flush();
}

function chunkOf(ordinal: number, content: string, headingPath: string[]): TextChunk {
  return { ordinal, content, tokenCount: countTokens(content), metadata: { headingPath } };
}

/** Paragraph blocks with the heading path they sit under (Markdown `#` headings), read lazily. */
function* blocks(text: string): Generator<Block> {
  const path: string[] = [];
  const separator = /\n\s*\n/g;
  for (let start = 0; start <= text.length; ) {
    const match = separator.exec(text);
    const paragraph = text.slice(start, match ? match.index : text.length);
    start = match ? separator.lastIndex : text.length + 1;
    const lines = paragraph.split("\n");
    let rest: string[] = [];
    const pending: Block[] = [];
    const push = () => {
      const joined = rest.join("\n").trim();
      if (joined) pending.push({ text: joined, path: path.filter((h) => h.length > 0) });
      rest = [];
    };
    for (const line of lines) {
      const heading = /^(#{1,6})\s+(.+)$/.exec(line.trim());
      if (!heading) {
        rest.push(line);
        continue;
      }
      push();
      const level = heading[1]!.length;
      path.splice(level - 1);
      while (path.length < level - 1) path.push("");
      path.push(heading[2]!.trim());
    }
    push();
    yield* pending;
  }
}

/** The paragraph itself if it fits, else its sentences, with over-long sentences cut into word runs. */
function splitToFit(paragraph: string, target: number): string[] {
  if (countTokens(paragraph) <= target) return [paragraph];
  return splitSentences(paragraph).flatMap((sentence) => {
    if (countTokens(sentence) <= target) return [sentence];
    const runs: string[] = [];
    let run = "";
    for (const word of sentence.split(/\s+/)) {
      if (run && countTokens(`${run} ${word}`) > target) {
        runs.push(run);
        run = "";
      }
      run = run ? `${run} ${word}` : word.slice(0, target * 4);
    }
    if (run) runs.push(run);
    return runs;
  });
}

/** The last sentences of a chunk's body adding up to at most `budget` tokens. */
function tail(body: readonly string[], budget: number): string[] {
  if (budget <= 0) return [];
  const sentences = body.flatMap((piece) => splitSentences(piece));
  const carried: string[] = [];
  let used = 0;
  for (let i = sentences.length - 1; i >= 0; i--) {
    const tokens = countTokens(sentences[i]!);
    if (used + tokens > budget) break;
    carried.unshift(sentences[i]!);
    used += tokens;
  }
  return carried;
}
