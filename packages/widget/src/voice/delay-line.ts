// The analyser reads samples when the AudioContext renders them; the speakers emit them one audio-path
// latency later. The mouth shows the analysis made that long ago, so it moves when the sound is heard.

/** The latency fields of an AudioContext; either may be missing (older Safari) or 0 (unknown). */
export interface AudioLatencies {
  outputLatency?: number;
  baseLatency?: number;
}

/** Longer than any real output path: a bogus report must not freeze the mouth for seconds. */
const MAX_DELAY_MS = 500;

/**
 * Ms from analysis to the speakers: `outputLatency` (Chromium and Firefox count the whole path after
 * rendering in it), else `baseLatency` (the part inside the browser, all Safari reports), else 0.
 */
export function audioPathDelayMs(context: AudioLatencies): number {
  for (const seconds of [context.outputLatency, context.baseLatency]) {
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0) {
      return Math.min(seconds * 1000, MAX_DELAY_MS);
    }
  }
  return 0;
}

export type DelayLine<T> = Array<{ at: number; value: T }>;

/**
 * Adds the frame analysed at `at` and returns the newest frame analysed at least `delayMs` before it
 * (what is being heard now), or undefined while no frame is that old. Frames older than that one are dropped.
 */
export function heardFrame<T>(line: DelayLine<T>, at: number, value: T, delayMs: number): T | undefined {
  line.push({ at, value });
  const heardBy = at - delayMs;
  while (line.length > 1 && line[1]!.at <= heardBy) line.shift();
  return line[0]!.at <= heardBy ? line[0]!.value : undefined;
}
