import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { hashEmbedding } from "../embedding/hash-embedding";
import { type ChunkRow, chunkRow } from "../retrieval/chunk-row";
import { makePdf } from "../testing/pdf";
import { chunkText } from "./chunk-text";
import { ExtractError, type ExtractInput, extractText } from "./extract-text";
import { PIECE_BYTES, prepareDocument } from "./prepare-document";

const bytes = (text: string) => new TextEncoder().encode(text);
const paragraphs = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join("\n\n");

/** Every row of the document, fetched 64 at a time as indexing does. */
async function preparedRows(input: ExtractInput): Promise<ChunkRow[]> {
  const { bytes, ...request } = input;
  const document = await prepareDocument([bytes], { ...request, embedOffline: true });
  try {
    const rows: ChunkRow[] = [];
    for (let from = 0; from < document.chunkCount; from += 64) {
      rows.push(...(await document.rows(from, Math.min(from + 64, document.chunkCount))));
    }
    return rows;
  } finally {
    await document.close();
  }
}

/** Bytes of every ArrayBuffer a message holds: what its structured clone copies on the sending thread. */
function carriedBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== "object" || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.buffer.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  return Object.values(value).reduce<number>((sum, v) => sum + carriedBytes(v, seen), 0);
}

/** The rows extractText, chunkText and the offline embedder give on the event loop (single precision). */
async function expectedRows(input: ExtractInput): Promise<ChunkRow[]> {
  const chunks = chunkText((await extractText(input)).text);
  return chunks.map((chunk) => chunkRow(chunk, Float32Array.from(hashEmbedding(chunk.content))));
}

describe("prepareDocument", () => {
  // Documents are prepared in a worker thread: the rows must be the ones the same steps give in-process.
  it("gives a large Markdown file the same chunks and offline embeddings as extractText and chunkText", async () => {
    const markdown = `---\ntitle: x\n---\n# Handbook\n\n${paragraphs(6000, (i) =>
      i % 500 === 0
        ? `<!-- a comment\n\nspanning paragraphs ${i} -->\n\n---\n\nLone line ${i}`
        : `## Rule ${i}\n\nCustomers may return [items](https://x.test/${i}) within **30** days, rule ${i}.`,
    )}`;
    const input = { bytes: bytes(markdown), contentType: "text/markdown" };
    expect(markdown.length).toBeGreaterThan(300_000);
    expect(await preparedRows(input)).toEqual(await expectedRows(input));
    expect(input.bytes.byteLength).toBe(bytes(markdown).byteLength); // the caller's bytes are left as they were
  });

  it("gives plain text and PDF the same chunks, and takes a network provider's embeddings", async () => {
    const plain = paragraphs(3000, (i) =>
      i % 300 === 0 ? `Section ${i}\nIt starts here.` : `Line ${i} says something.`,
    );
    const text = { bytes: bytes(plain), contentType: "text/plain" };
    expect(await preparedRows(text)).toEqual(await expectedRows(text));
    const pdf = {
      bytes: makePdf(["Refunds", "Refunds take five working days."]),
      contentType: "application/pdf",
    };
    expect(await preparedRows(pdf)).toEqual(await expectedRows(pdf));

    const document = await prepareDocument([text.bytes], {
      contentType: text.contentType,
      embedOffline: false,
    });
    try {
      const texts = await document.texts(0, 2);
      expect(texts).toEqual(
        chunkText((await extractText(text)).text)
          .slice(0, 2)
          .map((c) => c.content),
      );
      const unit = Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : 0));
      await document.setEmbeddings(0, [unit, unit]);
      const [row] = await document.rows(0, 1);
      expect(row!.embedding).toBe(`[${unit.join(",")}]`);
    } finally {
      await document.close();
    }
  });

  // One 25 MB message (its structured-clone copy) held the event loop 330 ms: the bytes go in pieces.
  it("hands the thread a document in pieces: no message carries more than PIECE_BYTES", async () => {
    const post = Worker.prototype.postMessage;
    let largest = 0;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: never) {
      largest = Math.max(largest, carriedBytes(message));
      return post.call(this, message, transfer);
    };
    const plain = "Customers may return items within 30 days.\n\n".repeat(100_000);
    const text = { bytes: bytes(plain), contentType: "text/plain" };
    // As a stream delivers them: views of one buffer, which a message would clone whole.
    const reads = function* () {
      for (let at = 0; at < text.bytes.byteLength; at += 3 * PIECE_BYTES)
        yield text.bytes.subarray(at, at + 3 * PIECE_BYTES);
    };
    let texts: string[];
    try {
      const document = await prepareDocument(reads(), { contentType: text.contentType, embedOffline: false });
      try {
        texts = await document.texts(0, document.chunkCount);
      } finally {
        await document.close();
      }
    } finally {
      Worker.prototype.postMessage = post;
    }
    expect(text.bytes.byteLength).toBeGreaterThan(4 * PIECE_BYTES);
    expect(largest).toBeLessThanOrEqual(PIECE_BYTES);
    expect(texts).toEqual(chunkText((await extractText(text)).text).map((chunk) => chunk.content));
    expect(text.bytes.byteLength).toBe(plain.length); // the caller's bytes are left as they were
  });

  it("rejects a document it cannot read with ExtractError", async () => {
    await expect(
      preparedRows({ bytes: bytes("%PDF-1.7 broken"), contentType: "application/pdf" }),
    ).rejects.toThrow(ExtractError);
    await expect(preparedRows({ bytes: bytes("x"), contentType: "image/png" })).rejects.toThrow(ExtractError);
  });
});
