import type { LipsyncLanguage } from "./rules";
import { type Viseme, visemeDurations } from "./visemes";

// Turns words into timed visemes and samples blend weights at a moment. Time is passed in (ms), so
// the same code runs against requestAnimationFrame, speechSynthesis boundaries or a test clock.

export interface TimedViseme {
  viseme: Viseme;
  start: number;
  end: number;
}

export type VisemeWeights = Partial<Record<Viseme, number>>;

export interface VisemeSample {
  weights: VisemeWeights;
  /** The strongest viseme now ("sil" when the mouth rests). */
  viseme: Viseme;
  speaking: boolean;
}

const pauseUnits: Record<string, number> = { ",": 2, ";": 2, ":": 2, ".": 3, "!": 3, "?": 3, "-": 1 };

/** Lays visemes end to end from `start`, each lasting its relative duration × `msPerUnit`. */
export function layOut(visemes: readonly Viseme[], start: number, msPerUnit: number): TimedViseme[] {
  let t = start;
  return visemes.map((viseme) => {
    const end = t + visemeDurations[viseme] * msPerUnit;
    const entry = { viseme, start: t, end };
    t = end;
    return entry;
  });
}

/** Triangle-ish cross-fade: each viseme fades in over `blendMs` before its start and out after its end. */
export function sampleAt(entries: readonly TimedViseme[], t: number, blendMs = 40): VisemeSample {
  const weights: VisemeWeights = {};
  let best: Viseme = "sil";
  let bestWeight = 0;
  for (const entry of entries) {
    if (t < entry.start - blendMs || t > entry.end + blendMs) continue;
    const rise = (t - entry.start + blendMs) / (2 * blendMs);
    const fall = (entry.end + blendMs - t) / (2 * blendMs);
    const weight = Math.max(0, Math.min(1, rise, fall));
    if (weight <= 0) continue;
    weights[entry.viseme] = Math.min(1, (weights[entry.viseme] ?? 0) + weight);
    if (weight > bestWeight) {
      bestWeight = weight;
      best = entry.viseme;
    }
  }
  const last = entries[entries.length - 1];
  return { weights, viseme: best, speaking: last !== undefined && t < last.end };
}

export interface VisemeQueue {
  /** Streaming text (muted mode): complete words are scheduled as they arrive. */
  pushText(text: string, now: number): void;
  /** The stream ended: the unfinished last word is spoken too. */
  endText(now: number): void;
  /** A speech-synthesis word boundary: this word starts now and replaces whatever was still pending. */
  speakWord(word: string, now: number, durationMs?: number): void;
  stop(now: number): void;
  sample(now: number): VisemeSample;
}

export function createVisemeQueue(options: {
  language: LipsyncLanguage;
  msPerUnit?: number;
  /** When the mouth falls further behind the text than this, it speaks faster to catch up. */
  maxLagMs?: number;
}): VisemeQueue {
  const { language } = options;
  const msPerUnit = options.msPerUnit ?? 70;
  const maxLagMs = options.maxLagMs ?? 1500;
  let entries: TimedViseme[] = [];
  let pending = "";
  let end = 0;

  const schedule = (text: string, now: number, unitMs?: number) => {
    for (const token of language.preProcess(text).split(" ")) {
      if (token === "") continue;
      const lag = end - now;
      const unit = unitMs ?? (lag > maxLagMs ? msPerUnit / 2 : msPerUnit);
      const word = token.replace(/[.,!?;:-]+$/, "");
      const laid = layOut(language.wordToVisemes(word), Math.max(now, end), unit);
      entries.push(...laid);
      end = laid[laid.length - 1]?.end ?? Math.max(now, end);
      const punctuation = token.slice(word.length)[0];
      // A short closed-mouth gap between words, longer after punctuation.
      end += unit * (punctuation ? (pauseUnits[punctuation] ?? 1) : 0.6);
    }
  };

  const prune = (now: number) => {
    if (entries.length > 0 && entries[0]!.end < now - 200)
      entries = entries.filter((e) => e.end >= now - 200);
  };

  return {
    pushText(text, now) {
      pending += text;
      const cut = Math.max(pending.lastIndexOf(" "), pending.lastIndexOf("\n"));
      if (cut === -1) return;
      schedule(pending.slice(0, cut), now);
      pending = pending.slice(cut + 1);
    },
    endText(now) {
      schedule(pending, now);
      pending = "";
    },
    speakWord(word, now, durationMs) {
      entries = entries.filter((e) => e.start < now).map((e) => (e.end > now ? { ...e, end: now } : e));
      end = now;
      const visemes = language
        .preProcess(word)
        .split(" ")
        .flatMap((w) => language.wordToVisemes(w));
      const units = visemes.reduce((sum, v) => sum + visemeDurations[v], 0);
      schedule(word, now, durationMs && units > 0 ? durationMs / units : msPerUnit);
    },
    stop(now) {
      entries = entries.filter((e) => e.start < now).map((e) => (e.end > now ? { ...e, end: now } : e));
      pending = "";
      end = now;
    },
    sample(now) {
      prune(now);
      return sampleAt(entries, now);
    },
  };
}
