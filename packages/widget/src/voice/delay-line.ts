// The analyser reads samples when the AudioContext renders them; the speakers emit them later. The mouth
// shows each analysis when its samples are heard, so it moves with the sound, not ahead of it.

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

/** What `AudioContext.getOutputTimestamp()` gives: the context time being heard, and when (performance clock). */
export interface OutputStamp {
  contextTime?: number;
  performanceTime?: number;
}

/**
 * Ms from `now` until the samples rendered up to context time `renderedUntil` (the context's
 * `currentTime`, which the analyser has just read) are heard, by the output clock; null when the browser
 * gives no usable stamp (then `audioPathDelayMs` stands in). How far rendering runs ahead of the speakers
 * varies from moment to moment (an audio thread catching up renders a burst ahead), which one latency
 * figure cannot follow: the mouth then led the sound by up to 60 ms.
 */
export function heardDelayMs(renderedUntil: number, stamp: OutputStamp, now: number): number | null {
  const { contextTime, performanceTime } = stamp;
  // Both are 0 until the output has started.
  if (!contextTime || !performanceTime || !Number.isFinite(contextTime + performanceTime)) return null;
  const heardAt = performanceTime + (renderedUntil - contextTime) * 1000;
  return Math.max(0, Math.min(heardAt - now, MAX_DELAY_MS));
}

/** Analysis frames, each with the moment its samples are heard. */
export type DelayLine<T> = Array<{ heardAt: number; value: T }>;

/**
 * Adds the frame analysed at `now`, heard `delayMs` later, and returns the newest frame heard by now, or
 * undefined while none is. Frames older than that one are dropped.
 */
export function heardFrame<T>(line: DelayLine<T>, now: number, value: T, delayMs: number): T | undefined {
  line.push({ heardAt: now + delayMs, value });
  while (line.length > 1 && line[1]!.heardAt <= now) line.shift();
  return line[0]!.heardAt <= now ? line[0]!.value : undefined;
}
