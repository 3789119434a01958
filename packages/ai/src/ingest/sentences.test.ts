import { describe, expect, it } from "vitest";
import { splitSentences } from "./sentences";

describe("splitSentences", () => {
  it("splits on sentence punctuation and line breaks, not on abbreviations or decimals", () => {
    expect(
      splitSentences(
        'Prices start at 4.95 euros. Lamps, e.g. Halo, ship fast! Is it "free"? Yes.\n- List item\nNext line',
      ),
    ).toEqual([
      "Prices start at 4.95 euros.",
      "Lamps, e.g. Halo, ship fast!",
      'Is it "free"?',
      "Yes.",
      "- List item",
      "Next line",
    ]);
  });

  it("keeps lower-case continuations together", () => {
    expect(splitSentences("See brightleaf.example/orders. then continue")).toEqual([
      "See brightleaf.example/orders. then continue",
    ]);
  });
});
