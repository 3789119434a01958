import { describe, expect, it } from "vitest";
import { audioPathDelayMs, type DelayLine, heardDelayMs, heardFrame } from "./delay-line";

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

describe("the delay by the output clock", () => {
  it("is how long until the context time just rendered is heard", () => {
    // Context time 10.000 s is heard at 5,000 ms; 10.040 s has been rendered: heard 40 ms after 5,000.
    expect(heardDelayMs(10.04, { contextTime: 10, performanceTime: 5000 }, 5000)).toBeCloseTo(40);
    // The stamp is a few ms old: the time since then is already spent.
    expect(heardDelayMs(10.04, { contextTime: 10, performanceTime: 5000 }, 5010)).toBeCloseTo(30);
    // A burst rendered far ahead is followed, as far as the cap.
    expect(heardDelayMs(10.094, { contextTime: 10, performanceTime: 5000 }, 5000)).toBeCloseTo(94);
    expect(heardDelayMs(20, { contextTime: 10, performanceTime: 5000 }, 5000)).toBe(500);
    expect(heardDelayMs(10, { contextTime: 10.1, performanceTime: 5000 }, 5000)).toBe(0);
  });

  it("is unknown before the output has started or where the browser gives no stamp", () => {
    expect(heardDelayMs(0.01, { contextTime: 0, performanceTime: 0 }, 5000)).toBeNull();
    expect(heardDelayMs(0.01, {}, 5000)).toBeNull();
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

  it("follows a delay that changes from frame to frame", () => {
    const line: DelayLine<string> = [];
    expect(heardFrame(line, 0, "a", 40)).toBeUndefined();
    // A burst rendered far ahead: "b" is heard at 106, not at 56 as a fixed 40 ms would have it.
    expect(heardFrame(line, 16, "b", 90)).toBeUndefined();
    expect(heardFrame(line, 40, "c", 70)).toBe("a");
    expect(heardFrame(line, 90, "d", 30)).toBe("a");
    expect(heardFrame(line, 110, "e", 30)).toBe("c");
  });

  it("passes each frame through at once with no delay", () => {
    const line: DelayLine<number> = [];
    expect(heardFrame(line, 0, 1, 0)).toBe(1);
    expect(heardFrame(line, 16, 2, 0)).toBe(2);
    expect(line).toHaveLength(1);
  });
});
