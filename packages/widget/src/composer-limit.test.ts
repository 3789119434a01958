import { describe, expect, it } from "vitest";
import { composerLimit } from "./composer-limit";

describe("composerLimit", () => {
  it("stays quiet for ordinary messages, counts down near the limit and names the excess past it", () => {
    expect(composerLimit(0)).toEqual({ kind: "quiet" });
    expect(composerLimit(3599)).toEqual({ kind: "quiet" });
    expect(composerLimit(3600)).toEqual({ kind: "near", left: 400 });
    expect(composerLimit(4000)).toEqual({ kind: "near", left: 0 });
    expect(composerLimit(4001)).toEqual({ kind: "over", over: 1 });
    expect(composerLimit(5000, 4000)).toEqual({ kind: "over", over: 1000 });
  });
});
