import { describe, expect, it } from "vitest";
import { type Frame, labelEvery, linePath, niceMax, shortNumber, ticks, xAt, yAt } from "./chart";

const frame: Frame = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 10 };

describe("chart geometry", () => {
  it("rounds axis maxima up to 1, 2 or 5 times a power of ten", () => {
    expect([0, -3, 0.3, 1, 3, 7, 10, 11, 240, 999].map(niceMax)).toEqual([
      1, 1, 0.5, 1, 5, 10, 10, 20, 500, 1000,
    ]);
  });

  it("spaces ticks evenly from zero", () => {
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
  });

  it("maps values into the plot area, zero at the bottom", () => {
    expect(xAt(frame, 0, 3)).toBe(10);
    expect(xAt(frame, 2, 3)).toBe(110);
    expect(xAt(frame, 0, 1)).toBe(60);
    expect(yAt(frame, 0, 10)).toBe(50);
    expect(yAt(frame, 10, 10)).toBe(0);
    expect(yAt(frame, -5, 10)).toBe(50);
  });

  it("draws a path that breaks at days without data", () => {
    expect(linePath(frame, [0, 10, null, 5], 10)).toBe("M10.0 50.0L43.3 0.0M110.0 25.0");
    expect(linePath(frame, [], 10)).toBe("");
  });

  it("shortens axis numbers", () => {
    expect([0, 950, 1000, 1250, 3_400_000, 2.5].map(shortNumber)).toEqual([
      "0",
      "950",
      "1k",
      "1.3k",
      "3.4M",
      "2.5",
    ]);
  });

  it("prints about seven x labels", () => {
    expect(labelEvery(7)).toBe(1);
    expect(labelEvery(30)).toBe(5);
    expect(labelEvery(0)).toBe(1);
  });
});
