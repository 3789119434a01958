import { describe, expect, it } from "vitest";
import { hashEmbedding } from "../embedding/hash-embedding";
import { EMBEDDING_DIMENSIONS } from "../provider/types";
import { makePdf } from "../testing/pdf";
import { chunkText } from "./chunk-text";
import { ExtractError, type ExtractInput, extractText } from "./extract-text";
import { type PreparedBatch, prepareDocument } from "./prepare-document";

const bytes = (text: string) => new TextEncoder().encode(text);
const paragraphs = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join("\n\n");

async function prepared(input: ExtractInput, embedOffline = true): Promise<PreparedBatch[]> {
  const batches: PreparedBatch[] = [];
  for await (const batch of prepareDocument({ ...input, embedOffline, batchSize: 64 })) batches.push(batch);
  return batches;
}

describe("prepareDocument", () => {
  // Large documents are prepared in a worker thread: the chunks must be the ones extractText + chunkText give.
  it("gives a large Markdown file the same chunks as extractText and chunkText, with their offline embeddings", async () => {
    const markdown = `---\ntitle: x\n---\n# Handbook\n\n${paragraphs(6000, (i) =>
      i % 500 === 0
        ? `<!-- a comment\n\nspanning paragraphs ${i} -->\n\n---\n\nLone line ${i}`
        : `## Rule ${i}\n\nCustomers may return [items](https://x.test/${i}) within **30** days, rule ${i}.`,
    )}`;
    const input = { bytes: bytes(markdown), contentType: "text/markdown" };
    const expected = chunkText((await extractText(input)).text);
    const batches = await prepared(input);
    expect(markdown.length).toBeGreaterThan(300_000);
    expect(batches.every((b) => b.chunks.length <= 64)).toBe(true);
    expect(batches.flatMap((b) => b.chunks)).toEqual(expected);
    const last = batches.at(-1)!;
    const vector = last.embeddings!.subarray((last.chunks.length - 1) * EMBEDDING_DIMENSIONS);
    expect([...vector]).toEqual(hashEmbedding(expected.at(-1)!.content).map(Math.fround));
    expect(input.bytes.byteLength).toBe(bytes(markdown).byteLength); // the caller's bytes are left as they were
  });

  it("gives plain text and PDF the same chunks, and leaves embedding to the caller when asked", async () => {
    const plain = paragraphs(8000, (i) =>
      i % 300 === 0 ? `Section ${i}\nIt starts here.` : `Line ${i} says something.`,
    );
    const text = { bytes: bytes(plain), contentType: "text/plain" };
    const batches = await prepared(text, false);
    expect(batches.flatMap((b) => b.chunks)).toEqual(chunkText((await extractText(text)).text));
    expect(batches.every((b) => b.embeddings === null)).toBe(true);
    const pdf = {
      bytes: makePdf(["Refunds", "Refunds take five working days."]),
      contentType: "application/pdf",
    };
    expect((await prepared(pdf)).flatMap((b) => b.chunks)).toEqual(chunkText((await extractText(pdf)).text));
  });

  it("rejects a document it cannot read with ExtractError", async () => {
    await expect(
      prepared({ bytes: bytes("%PDF-1.7 broken"), contentType: "application/pdf" }),
    ).rejects.toThrow(ExtractError);
    await expect(prepared({ bytes: bytes("x"), contentType: "image/png" })).rejects.toThrow(ExtractError);
  });
});
