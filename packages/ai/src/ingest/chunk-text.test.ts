import { describe, expect, it } from "vitest";
import { countTokens } from "../tokens";
import { chunkText } from "./chunk-text";

const sentence = (i: number) => `Sentence number ${i} talks about lamps and their warranty in some detail.`;
const paragraph = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => sentence(from + i)).join(" ");

describe("chunkText", () => {
  it("keeps a short text in one chunk with its heading path", () => {
    const chunks = chunkText("# Returns\n\nYou can return lamps within 30 days.");
    expect(chunks).toEqual([
      {
        ordinal: 0,
        content: "Returns\n\nYou can return lamps within 30 days.",
        tokenCount: countTokens("Returns\n\nYou can return lamps within 30 days."),
        metadata: { headingPath: ["Returns"] },
      },
    ]);
  });

  it("splits long text near the target size with sentence overlap", () => {
    const text = `# Guide\n\n## Warranty\n\n${paragraph(0, 20)}\n\n${paragraph(20, 20)}\n\n${paragraph(40, 20)}`;
    const chunks = chunkText(text, { targetTokens: 120, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(120 + 10);
      expect(chunk.metadata.headingPath).toEqual(["Guide", "Warranty"]);
      expect(chunk.content.startsWith("Guide > Warranty\n\n")).toBe(true);
    }
    // The last sentence of each chunk opens the next one.
    for (let i = 1; i < chunks.length; i++) {
      const lastOfPrevious = chunks[i - 1]!.content.split(/(?<=\.)\s+/).at(-1)!;
      expect(chunks[i]!.content).toContain(lastOfPrevious);
    }
    // Nothing is lost.
    for (let i = 0; i < 60; i++) expect(chunks.some((c) => c.content.includes(sentence(i)))).toBe(true);
  });

  it("starts a new chunk at a heading once the current chunk is substantial, without cross-section overlap", () => {
    const text = `# A\n\n${paragraph(0, 6)}\n\n# B\n\n${paragraph(100, 2)}`;
    const chunks = chunkText(text, { targetTokens: 150, overlapTokens: 40 });
    expect(chunks.map((c) => c.metadata.headingPath)).toEqual([["A"], ["B"]]);
    expect(chunks[1]!.content).not.toContain(sentence(5));
  });

  it("merges tiny sections into one chunk", () => {
    const chunks = chunkText("# FAQ\n\n## Hours\n\nOpen 9 to 5.\n\n## Phone\n\nCall 555-0100.", {
      targetTokens: 200,
    });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.content).toBe("FAQ > Hours\n\nOpen 9 to 5.\n\nPhone\n\nCall 555-0100.");
    expect(chunks[0]!.metadata.headingPath).toEqual(["FAQ", "Hours"]);
  });

  it("cuts a giant run-on sentence into word runs", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(" ");
    const chunks = chunkText(words, { targetTokens: 100, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(100);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
  });

  it("returns nothing for empty text", () => {
    expect(chunkText("  \n\n ")).toEqual([]);
  });
});
