import { describe, expect, it } from "vitest";
import { lipsyncFor } from "./index";
import { compileRules } from "./rules";

describe("English lip-sync rules", () => {
  const en = lipsyncFor("en-US");

  it("maps words to Oculus visemes", () => {
    expect(en.wordToVisemes("hello")).toEqual(["E", "nn", "oh"]);
    expect(en.wordToVisemes("think")).toEqual(["TH", "ih", "nn", "kk"]);
    expect(en.wordToVisemes("make")).toEqual(["PP", "aa", "kk"]);
    expect(en.wordToVisemes("shop")).toEqual(["CH", "oh", "PP"]);
    expect(en.wordToVisemes("five")).toEqual(["FF", "ih", "FF"]);
  });

  it("merges repeated visemes", () => {
    expect(en.wordToVisemes("mop")).toEqual(["PP", "oh", "PP"]);
    expect(en.wordToVisemes("bump")).toEqual(["PP", "ou", "PP"]);
    expect(en.wordToVisemes("ll")).toEqual(["nn"]);
  });

  it("preprocesses numbers, symbols and markup", () => {
    expect(en.preProcess("**Hi** 42% & [docs](https://x.test) now!")).toBe(
      "hi four two percent and docs now!",
    );
  });
});

describe("German lip-sync rules", () => {
  const de = lipsyncFor("de");

  it("handles German spellings", () => {
    expect(de.wordToVisemes("schön")).toEqual(["CH", "oh", "nn"]);
    expect(de.wordToVisemes("stein")).toEqual(["CH", "DD", "aa", "ih", "nn"]);
    expect(de.wordToVisemes("zeit")).toEqual(["DD", "SS", "aa", "ih", "DD"]);
    expect(de.wordToVisemes("sehr")).toEqual(["SS", "E", "RR"]);
    expect(de.wordToVisemes("straße")).toEqual(["CH", "DD", "RR", "aa", "SS", "E"]);
  });

  it("spells digits in German", () => {
    expect(de.preProcess("3 Äpfel")).toBe("drei äpfel");
  });
});

describe("rule compiler", () => {
  it("rejects unknown visemes", () => {
    expect(() => compileRules([["a", "XX"]])).toThrow(/unknown viseme XX/);
  });

  it("falls back to English for unknown languages", () => {
    expect(lipsyncFor("fr").lang).toBe("en");
  });
});
