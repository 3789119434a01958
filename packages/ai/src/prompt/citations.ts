import type { ContextChunk } from "../provider/types";

export interface CitableChunk extends ContextChunk {
  chunkId?: string;
  sourceId?: string;
}

/** Matches the shape of protocol's citationSchema, plus the marker number and chunk id. */
export interface Citation {
  /** The n of the [n] marker (1-based position in the prompt's context). */
  index: number;
  chunkId?: string;
  sourceId: string;
  title: string;
  snippet: string;
  url?: string;
}

const SNIPPET_CHARS = 200;

/** The chunks an answer cites with [n] / [n, m] markers, in order of first mention, each once. */
export function citationsFrom(chunks: readonly CitableChunk[], answerText: string): Citation[] {
  const seen = new Set<number>();
  const citations: Citation[] = [];
  for (const group of answerText.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const part of group[1]!.split(",")) {
      const index = Number(part.trim());
      const chunk = chunks[index - 1];
      if (!chunk || seen.has(index)) continue;
      seen.add(index);
      citations.push({
        index,
        ...(chunk.chunkId ? { chunkId: chunk.chunkId } : {}),
        sourceId: chunk.sourceId ?? "",
        title: chunk.sourceTitle,
        snippet: snippet(chunk.content),
        ...(chunk.sourceUrl ? { url: chunk.sourceUrl } : {}),
      });
    }
  }
  return citations;
}

function snippet(content: string): string {
  const flat = content.replace(/\s+/g, " ").trim();
  if (flat.length <= SNIPPET_CHARS) return flat;
  const cut = flat.slice(0, SNIPPET_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SNIPPET_CHARS / 2))}…`;
}
