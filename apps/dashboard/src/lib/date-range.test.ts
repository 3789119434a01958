import { describe, expect, it } from "vitest";
import { lastDays, shortDay } from "./date-range";

describe("date ranges", () => {
  it("counts today as the last day of the range, in UTC", () => {
    expect(lastDays(7, new Date("2026-03-10T23:30:00Z"))).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(lastDays(1, new Date("2026-03-01T00:00:00Z"))).toEqual({ from: "2026-03-01", to: "2026-03-01" });
    expect(lastDays(30, new Date("2026-03-01T12:00:00Z"))).toEqual({ from: "2026-01-31", to: "2026-03-01" });
  });

  it("labels days briefly", () => {
    expect(shortDay("2026-03-04")).toBe("Mar 4");
  });
});
