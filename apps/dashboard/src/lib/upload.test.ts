import { describe, expect, it } from "vitest";
import { contentTypeOf, progressPercent } from "./upload";

describe("uploads", () => {
  it("computes progress in whole percent", () => {
    expect(progressPercent(0, 100)).toBe(0);
    expect(progressPercent(333, 1000)).toBe(33);
    expect(progressPercent(1000, 1000)).toBe(100);
    expect(progressPercent(5, 0)).toBe(0);
  });

  it("guesses types the browser leaves empty", () => {
    expect(contentTypeOf({ name: "faq.md", type: "" })).toBe("text/markdown");
    expect(contentTypeOf({ name: "Robot.VRM", type: "" })).toBe("model/vrm");
    expect(contentTypeOf({ name: "scan.pdf", type: "application/pdf" })).toBe("application/pdf");
    expect(contentTypeOf({ name: "blob", type: "" })).toBe("application/octet-stream");
  });
});
