import { describe, expect, it } from "vitest";
import { lastSentenceEnd } from "./speech";

describe("lastSentenceEnd", () => {
  it("finds the end of the last complete sentence", () => {
    expect(lastSentenceEnd("Hello there. How are", 0)).toBe(12);
    expect(lastSentenceEnd("One. Two! Three", 0)).toBe(9);
  });

  it("waits while no sentence is complete, even with a trailing full stop mid-stream", () => {
    expect(lastSentenceEnd("Hello there", 0)).toBe(-1);
    expect(lastSentenceEnd("Version 1.5 is", 0)).toBe(-1);
    expect(lastSentenceEnd("Done.", 0)).toBe(-1);
  });

  it("starts searching after what was already spoken", () => {
    expect(lastSentenceEnd("A. B. C", 3)).toBe(5);
  });
});
