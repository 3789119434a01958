import { splitSentences } from "../ingest/sentences";
import type { ContextChunk } from "../provider/types";

/**
 * What the offline answerer can quote, read from a chunk's layout: a paragraph (or, when long, each sentence
 * and each pair of neighbouring sentences),
 * a whole list with its lead-in line, a table row with its column names, or a whole table. Headings are not
 * quotable: they say what the passages under them are about.
 */
export type Passage =
  | { kind: "prose" | "list"; text: string; heading: string; chunkIndex: number; order: number }
  | {
      kind: "row";
      cells: string[];
      header: string[];
      /** The text of the whole row, for its terms. */
      text: string;
      heading: string;
      chunkIndex: number;
      order: number;
      /** Order of the table this row belongs to, to group rows. */
      table: number;
    }
  | {
      kind: "table";
      header: string[];
      rows: string[][];
      text: string;
      heading: string;
      chunkIndex: number;
      order: number;
    };

// A paragraph longer than this is quoted sentence by sentence, so one answer does not carry a page.
const WHOLE_PARAGRAPH_CHARS = 420;
const WHOLE_PARAGRAPH_SENTENCES = 3;

const LIST_ITEM = /^(?:[-*•]|\d+[.)])\s+/;

/**
 * A heading: a Markdown heading line, a chunk's "A > B" heading path, or a block that is one short line
 * without sentence punctuation (the chunker gives a section that shares a chunk its bare title).
 */
function headingOf(lines: readonly string[]): string | null {
  const first = lines[0]!;
  if (/^#+\s/.test(first)) return first.replace(/^#+\s*/, "");
  if (lines.length > 1 || /[.!?:;,]$/.test(first) || LIST_ITEM.test(first) || first.startsWith("|"))
    return null;
  if (first.includes(" > ")) return first.split(" > ").at(-1)!;
  return first.split(/\s+/).length <= 8 ? first : null;
}

export function passagesOf(chunks: readonly ContextChunk[]): Passage[] {
  const passages: Passage[] = [];
  let order = 0;
  chunks.forEach((chunk, chunkIndex) => {
    let heading = "";
    for (const block of chunk.content.split(/\n\s*\n/)) {
      const lines = block
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      // Heading lines open a block; the passages after them sit under the last one.
      for (let found = lines.length > 0 ? headingOf(lines) : null; found !== null; ) {
        heading = found;
        lines.shift();
        found = lines.length > 0 && /^#+\s/.test(lines[0]!) ? headingOf(lines) : null;
      }
      if (lines.length === 0) continue;
      const base = { heading, chunkIndex };
      if (lines.every((l) => l.startsWith("|"))) {
        const rows = lines
          .filter((l) => !/^\|[\s:|-]+\|$/.test(l))
          .map((l) =>
            l
              .replace(/^\||\|$/g, "")
              .split("|")
              .map((c) => c.trim()),
          );
        const [header, ...body] = rows;
        if (!header || body.length === 0) continue;
        const table = order++;
        passages.push({ kind: "table", header, rows: body, text: header.join(" "), ...base, order: table });
        for (const cells of body) {
          passages.push({
            kind: "row",
            cells,
            header,
            text: cells.join(" "),
            table,
            ...base,
            order: order++,
          });
        }
        continue;
      }
      if (lines.some((l) => LIST_ITEM.test(l)) || lines.length > 1) {
        // Steps, items and line-per-fact blocks (opening hours) are quoted whole: half a list misleads.
        passages.push({ kind: "list", text: lines.join("\n"), ...base, order: order++ });
        continue;
      }
      const paragraph = lines[0]!;
      const sentences = splitSentences(paragraph);
      if (paragraph.length <= WHOLE_PARAGRAPH_CHARS && sentences.length <= WHOLE_PARAGRAPH_SENTENCES) {
        passages.push({ kind: "prose", text: paragraph, ...base, order: order++ });
      } else {
        for (const sentence of sentences)
          passages.push({ kind: "prose", text: sentence, ...base, order: order++ });
        // Neighbouring sentences too: a question's words are often split across two ("Blood samples are
        // taken 8 to 10." + "Please come fasting.").
        for (let i = 1; i < sentences.length; i++)
          passages.push({
            kind: "prose",
            text: `${sentences[i - 1]} ${sentences[i]}`,
            ...base,
            order: order++,
          });
      }
    }
  });
  return passages;
}

/** A row as "Column: value" pairs, limited to the asked columns (the first, naming the row, always stays). */
export function formatRow(
  header: readonly string[],
  cells: readonly string[],
  columns?: ReadonlySet<number>,
): string {
  return cells
    .map((cell, i) => ({ cell, i }))
    .filter(({ cell, i }) => cell && (i === 0 || !columns || columns.has(i)))
    .map(({ cell, i }) => (header[i] ? `${header[i]}: ${cell}` : cell))
    .join(", ");
}
