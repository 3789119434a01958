import { describe, expect, it } from "vitest";
import { type Frame, labelEvery, linePath, shortNumber, valueAxis, xAt, yAt } from "./chart";

const frame: Frame = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 10 };

describe("chart geometry", () => {
  it("puts whole-number ticks on the value axis, from zero to at least the largest value", () => {
    expect(valueAxis(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(valueAxis(1)).toEqual({ max: 1, ticks: [0, 1] });
    expect(valueAxis(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(valueAxis(5)).toEqual({ max: 6, ticks: [0, 2, 4, 6] });
    expect(valueAxis(7)).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(valueAxis(100)).toEqual({ max: 100, ticks: [0, 25, 50, 75, 100] });
    expect(valueAxis(240)).toEqual({ max: 300, ticks: [0, 100, 200, 300] });
    expect(valueAxis(999)).toEqual({ max: 1000, ticks: [0, 250, 500, 750, 1000] });
    for (const max of [0.3, 2, 4, 6, 9, 11, 13, 38, 1234, 56789]) {
      const axis = valueAxis(max);
      expect(axis.ticks.every(Number.isInteger)).toBe(true);
      expect(axis.max).toBeGreaterThanOrEqual(max);
      expect(axis.ticks.at(-1)).toBe(axis.max);
    }
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
