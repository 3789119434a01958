import { describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "./fusion";

describe("reciprocalRankFusion", () => {
  it("ranks items found by both lists above items found by one", () => {
    const fused = reciprocalRankFusion({ vector: ["a", "b", "c"], text: ["c", "d", "a"] }, (x) => x);
    expect(fused.map((f) => f.item)).toEqual(["a", "c", "b", "d"]);
    expect(fused[0]).toEqual({ item: "a", score: 1 / 61 + 1 / 63, vectorRank: 1, textRank: 3 });
    expect(fused.find((f) => f.item === "d")).toMatchObject({ vectorRank: null, textRank: 2 });
  });

  it("handles empty lists", () => {
    expect(reciprocalRankFusion({ vector: [], text: ["x"] }, (x) => x)).toEqual([
      { item: "x", score: 1 / 61, vectorRank: null, textRank: 1 },
    ]);
    expect(reciprocalRankFusion<string>({ vector: [], text: [] }, (x) => x)).toEqual([]);
  });
});
