import type { VisemeSample, VisemeWeights } from "../lipsync/timeline";
import type { Viseme } from "../lipsync/visemes";

// The mouth from the audio being played: energy opens the jaw, the spectrum's centre of mass picks the
// vowel shape. Pure, so the mapping is tested without a browser; player.ts feeds it the AnalyserNode's data.

/** Below this RMS the mouth rests (espeak-ng's pauses and a provider's breath noise). */
const GATE = 0.012;
/** RMS of a loud vowel: fully open. */
const FULL = 0.14;

export interface MouthState {
  open: number;
}

/** One frame: `rms` of the samples just played, `centroidHz` of their spectrum, `dtMs` since the last frame. */
export function mouthFrame(state: MouthState, rms: number, centroidHz: number, dtMs: number): VisemeSample {
  const target = Math.max(0, Math.min(1, (rms - GATE) / (FULL - GATE)));
  // Opens at once (any smoothing here is lag viewers see); closes with a 30 ms time constant, so it does
  // not flicker between syllables yet rests in a pause of 100 ms.
  state.open = target >= state.open ? target : target + (state.open - target) * Math.exp(-dtMs / 30);
  if (state.open < 0.04) return { weights: {}, viseme: "sil", speaking: true };
  const shape = vowelFor(centroidHz);
  const weights: VisemeWeights = { [shape]: state.open };
  // Rounded and spread vowels still drop the jaw a little.
  if (shape !== "aa") weights.aa = state.open * 0.35;
  return { weights, viseme: shape, speaking: true };
}

/** Low, dark sounds round the lips; bright ones spread them; hiss is a sibilant. */
export function vowelFor(centroidHz: number): Viseme {
  if (centroidHz < 650) return "ou";
  if (centroidHz < 1000) return "oh";
  if (centroidHz < 1700) return "aa";
  if (centroidHz < 2600) return "E";
  if (centroidHz < 4000) return "ih";
  return "SS";
}

export function rmsOf(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Spectral centroid in Hz of byte magnitudes whose bins are `binHz` wide. */
export function centroidOf(magnitudes: Uint8Array, binHz: number): number {
  let weighted = 0;
  let total = 0;
  for (let i = 1; i < magnitudes.length; i++) {
    const m = magnitudes[i]!;
    weighted += m * i * binHz;
    total += m;
  }
  return total === 0 ? 0 : weighted / total;
}
