import { describe, expect, it } from "vitest";
import { audioPathDelayMs, type DelayLine, heardFrame } from "./delay-line";

describe("the delay from analysis to the speakers", () => {
  it("is the output latency, else the base latency, else nothing", () => {
    expect(audioPathDelayMs({ outputLatency: 0.032, baseLatency: 0.01 })).toBe(32);
    // Safari has no outputLatency; some browsers report 0 while they do not know it yet.
    expect(audioPathDelayMs({ baseLatency: 0.01 })).toBe(10);
    expect(audioPathDelayMs({ outputLatency: 0, baseLatency: 0.01 })).toBe(10);
    expect(audioPathDelayMs({ outputLatency: 0, baseLatency: 0 })).toBe(0);
    expect(audioPathDelayMs({})).toBe(0);
    expect(audioPathDelayMs({ outputLatency: Number.NaN })).toBe(0);
    expect(audioPathDelayMs({ outputLatency: 30 })).toBe(500);
  });
});

describe("the delay line of analysis frames", () => {
  it("gives nothing until a frame is as old as the delay, then the newest such frame", () => {
    const line: DelayLine<string> = [];
    expect(heardFrame(line, 0, "a", 32)).toBeUndefined();
    expect(heardFrame(line, 16, "b", 32)).toBeUndefined();
    expect(heardFrame(line, 33, "c", 32)).toBe("a");
    expect(heardFrame(line, 49, "d", 32)).toBe("b");
    // A slow frame: everything older than the one heard now is dropped.
    expect(heardFrame(line, 120, "e", 32)).toBe("d");
    expect(line.map((f) => f.value)).toEqual(["d", "e"]);
  });

  it("passes each frame through at once with no delay", () => {
    const line: DelayLine<number> = [];
    expect(heardFrame(line, 0, 1, 0)).toBe(1);
    expect(heardFrame(line, 16, 2, 0)).toBe(2);
    expect(line).toHaveLength(1);
  });
});
