import { describe, expect, it } from "vitest";
import { createCueStripper, stripCues } from "./cues";

function run(deltas: string[]) {
  const stripper = createCueStripper();
  const results = deltas.map((d) => stripper.push(d));
  results.push(stripper.flush());
  return { text: results.map((r) => r.text).join(""), cues: results.flatMap((r) => r.cues), results };
}

describe("createCueStripper", () => {
  it("removes a whole tag and reports its cue", () => {
    expect(run(["[[happy]]Sure, we ship worldwide."])).toMatchObject({
      text: "Sure, we ship worldwide.",
      cues: ["happy"],
    });
  });

  it("handles a tag split across every possible delta boundary", () => {
    const full = "Yes [[nod]] we do [[wave]]!";
    for (let cut = 1; cut < full.length; cut++) {
      const out = run([full.slice(0, cut), full.slice(cut)]);
      expect(out.text).toBe("Yes  we do !");
      expect(out.cues).toEqual(["nod", "wave"]);
    }
  });

  it("handles a tag streamed one character at a time and never shows part of it", () => {
    const out = run([..."Hi [[surprised]]there"]);
    expect(out.text).toBe("Hi there");
    expect(out.cues).toEqual(["surprised"]);
    for (const r of out.results) expect(r.text).not.toMatch(/\[/);
  });

  it("keeps citation markers and ordinary brackets", () => {
    expect(run(["Returns take 30 days [1", "][2]. See [FAQ]."]).text).toBe(
      "Returns take 30 days [1][2]. See [FAQ].",
    );
  });

  it("hides unknown tags without reporting a cue", () => {
    expect(run(["ok [[dance]] fine"])).toMatchObject({ text: "ok  fine", cues: [] });
  });

  it("releases an unfinished tag at the end of the stream", () => {
    expect(run(["text [[hap"]).text).toBe("text [[hap");
  });

  it("strips a finished text in one call", () => {
    expect(stripCues("[[thinking]]Let me see. [[NOD]]")).toEqual({
      text: "Let me see. ",
      cues: ["thinking", "nod"],
    });
  });
});
