import { describe, expect, it } from "vitest";
import { centroidOf, type MouthState, mouthFrame, rmsOf, vowelFor } from "./mouth";

describe("the mouth from the audio", () => {
  it("opens in the same frame the sound starts and closes within a few frames of silence", () => {
    const state: MouthState = { open: 0 };
    expect(mouthFrame(state, 0.001, 1200, 16).viseme).toBe("sil");
    const loud = mouthFrame(state, 0.14, 1200, 16);
    expect(loud.viseme).toBe("aa");
    expect(loud.weights.aa).toBe(1);
    const closing = mouthFrame(state, 0, 1200, 16);
    expect(closing.weights.aa).toBeGreaterThan(0.5);
    for (let i = 0; i < 5; i++) mouthFrame(state, 0, 1200, 16);
    expect(mouthFrame(state, 0, 1200, 16).viseme).toBe("sil");
  });

  it("opens wider for louder sound and picks the shape from the spectrum", () => {
    const quiet = mouthFrame({ open: 0 }, 0.04, 800, 16);
    const loud = mouthFrame({ open: 0 }, 0.1, 800, 16);
    expect(quiet.weights.oh!).toBeLessThan(loud.weights.oh!);
    expect([400, 800, 1200, 2000, 3000, 6000].map(vowelFor)).toEqual(["ou", "oh", "aa", "E", "ih", "SS"]);
  });

  it("measures RMS and the spectral centroid", () => {
    expect(rmsOf(new Float32Array([0.5, -0.5, 0.5, -0.5]))).toBeCloseTo(0.5);
    const bins = new Uint8Array(8);
    bins[4] = 200;
    expect(centroidOf(bins, 100)).toBe(400);
    expect(centroidOf(new Uint8Array(8), 100)).toBe(0);
  });
});
