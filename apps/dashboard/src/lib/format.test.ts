import { describe, expect, it } from "vitest";
import { describeUserAgent, formatBytes, formatRelative, percentOf } from "./format";

describe("formatting", () => {
  it("formats byte sizes", () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 * 1024, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.0 KB",
      "1.5 KB",
      "10 MB",
      "5.0 GB",
    ]);
  });

  it("says how long ago", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    expect(formatRelative("2026-03-10T11:59:30Z", now)).toBe("just now");
    expect(formatRelative("2026-03-10T11:55:00Z", now)).toBe("5 min ago");
    expect(formatRelative("2026-03-10T09:00:00Z", now)).toBe("3 h ago");
    expect(formatRelative(new Date("2026-03-08T12:00:00Z"), now)).toBe("2 d ago");
    expect(formatRelative("2025-12-01T12:00:00Z", now)).toBe("2025-12-01");
  });

  it("clamps meters", () => {
    expect(percentOf(5, 10)).toBe(50);
    expect(percentOf(15, 10)).toBe(100);
    expect(percentOf(1, 0)).toBe(100);
  });

  it("names browsers and systems", () => {
    const chrome =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    expect(describeUserAgent(chrome)).toBe("Chrome on Linux");
    expect(describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")).toBe(
      "Safari on iOS",
    );
    expect(describeUserAgent(null)).toBe("Unknown device");
  });
});
