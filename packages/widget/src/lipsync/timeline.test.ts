import { describe, expect, it } from "vitest";
import { english } from "./en";
import { createVisemeQueue, layOut, sampleAt } from "./timeline";

describe("layOut and sampleAt", () => {
  const entries = layOut(["PP", "aa"], 0, 100); // PP 0–90, aa 90–210

  it("lays visemes end to end by relative duration", () => {
    expect(entries).toEqual([
      { viseme: "PP", start: 0, end: 90 },
      { viseme: "aa", start: 90, end: 210 },
    ]);
  });

  it("holds a viseme fully in its middle and cross-fades at boundaries", () => {
    expect(sampleAt(entries, 45).weights).toEqual({ PP: 1 });
    const boundary = sampleAt(entries, 90);
    expect(boundary.weights.PP).toBeCloseTo(0.5);
    expect(boundary.weights.aa).toBeCloseTo(0.5);
    expect(sampleAt(entries, 150)).toEqual({ weights: { aa: 1 }, viseme: "aa", speaking: true });
  });

  it("rests after the last viseme", () => {
    expect(sampleAt(entries, 1000)).toEqual({ weights: {}, viseme: "sil", speaking: false });
  });
});

describe("createVisemeQueue", () => {
  it("schedules only complete words from streaming text", () => {
    const queue = createVisemeQueue({ language: english, msPerUnit: 100 });
    queue.pushText("Hel", 0);
    expect(queue.sample(10).speaking).toBe(false);
    queue.pushText("lo wor", 0);
    expect(queue.sample(50)).toMatchObject({ viseme: "E", speaking: true });
    queue.endText(0);
    // hello = E nn oh (330 ms) + gap 60, then world = ou RR nn DD
    expect(queue.sample(420).viseme).toBe("ou");
    expect(queue.sample(5000)).toEqual({ weights: {}, viseme: "sil", speaking: false });
  });

  it("speeds up when the mouth lags far behind the text", () => {
    const queue = createVisemeQueue({ language: english, msPerUnit: 100, maxLagMs: 500 });
    queue.pushText("papa papa papa papa ", 0);
    queue.pushText("mama ", 0);
    const slow = createVisemeQueue({ language: english, msPerUnit: 100, maxLagMs: 100_000 });
    slow.pushText("papa papa papa papa mama ", 0);
    const lastSpeaking = (q: typeof queue) => {
      let t = 0;
      while (q.sample(t).speaking) t += 10;
      return t;
    };
    expect(lastSpeaking(queue)).toBeLessThan(lastSpeaking(slow));
  });

  it("lets a speech boundary replace pending text and stop cut it", () => {
    const queue = createVisemeQueue({ language: english, msPerUnit: 100 });
    queue.pushText("one two three four ", 0);
    queue.speakWord("mama", 100, 400);
    expect(queue.sample(120).viseme).toBe("PP");
    queue.stop(200);
    expect(queue.sample(400)).toEqual({ weights: {}, viseme: "sil", speaking: false });
  });
});
