import type { Page } from "playwright-core";

// What the voice browser tests and the bench measure in the page: the sentences the page's AudioContext
// plays (with when they are heard and their energy onsets), the mouth's changes, and the lag between the two.

/**
 * Installed before the widget loads: records every sentence buffer the page starts playing (with its
 * start on the performance clock), every stop, and each change of the avatar's mouth.
 */
export function recordVoice() {
  // `at`: when the sentence's first sample is heard, on the performance clock (the AudioContext's
  // output timestamp maps its timeline to that clock, output latency included).
  type Played = {
    at: number;
    heardAt?: number;
    startsAt: number;
    onsets: number[];
    /** Near silence before the first onset and after the last loud window. */
    leadQuietMs: number;
    tailQuietMs: number;
    duration: number;
    stoppedAt: number | null;
  };
  const played: Played[] = [];
  const mouth: Array<[number, boolean]> = [];
  const voice: string[] = [];
  // The output clock read every frame: [context time being heard, its performance time]. An onset is
  // placed by the reading just after it, so a glitch or an underrun earlier in the sentence (the audio
  // falls behind the wall clock) does not move where the probe thinks it was heard.
  const stamps: Array<[number, number]> = [];
  Object.assign(window, { __played: played, __mouth: mouth, __voice: voice, __stamps: stamps });
  let clocked: AudioContext | null = null;
  const readClock = () => {
    const stamp = clocked?.getOutputTimestamp();
    if (stamp?.contextTime && stamp.performanceTime && stamp.contextTime !== stamps.at(-1)?.[0])
      stamps.push([stamp.contextTime, stamp.performanceTime]);
    requestAnimationFrame(readClock);
  };
  requestAnimationFrame(readClock);
  // Energy onsets of a buffer: 10 ms windows; an onset is the first loud window (RMS > 0.03) after
  // 120 ms of near silence (RMS < 0.01) since the last loud one. The first loud window is always listed:
  // whether the silence before it was long enough depends on how the previous sentence ended
  // (lipsyncLags decides).
  const onsetsOf = (buffer: AudioBuffer) => {
    const data = buffer.getChannelData(0);
    const win = Math.round(buffer.sampleRate / 100);
    const onsets: number[] = [];
    let quiet = 0;
    let leadQuietMs: number | null = null;
    for (let i = 0; i + win <= data.length; i += win) {
      let sum = 0;
      for (let j = i; j < i + win; j++) sum += data[j]! * data[j]!;
      const rms = Math.sqrt(sum / win);
      if (rms < 0.01) quiet++;
      else if (rms > 0.03) {
        if (leadQuietMs === null) leadQuietMs = quiet * 10;
        if (quiet >= 12 || onsets.length === 0) onsets.push((i / buffer.sampleRate) * 1000);
        quiet = 0;
      }
    }
    return { onsets, leadQuietMs: leadQuietMs ?? 0, tailQuietMs: quiet * 10 };
  };
  const start = AudioBufferSourceNode.prototype.start;
  const stop = AudioBufferSourceNode.prototype.stop;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: number[]) {
    const context = this.context as AudioContext;
    const startsAt = context.currentTime;
    clocked = context;
    const entry: Played = {
      at: performance.now(),
      startsAt,
      ...(this.buffer ? onsetsOf(this.buffer) : { onsets: [], leadQuietMs: 0, tailQuietMs: 0 }),
      duration: (this.buffer?.duration ?? 0) * 1000,
      stoppedAt: null,
    };
    played.push(entry);
    (this as unknown as { __entry: Played }).__entry = entry;
    // Once the context outputs this sentence, place its start on the performance clock.
    const place = () => {
      const stamp = context.getOutputTimestamp();
      if ((stamp.contextTime ?? 0) <= startsAt) return void requestAnimationFrame(place);
      entry.heardAt = stamp.performanceTime! + (startsAt - stamp.contextTime!) * 1000;
    };
    requestAnimationFrame(place);
    return start.apply(this, args as []);
  };
  AudioBufferSourceNode.prototype.stop = function (this: AudioBufferSourceNode, ...args: number[]) {
    const entry = (this as unknown as { __entry?: Played }).__entry;
    if (entry && entry.stoppedAt === null) entry.stoppedAt = performance.now();
    return stop.apply(this, args as []);
  };
  const watch = () => {
    const element = document.querySelector("avatar-chat");
    if (!element) return void requestAnimationFrame(watch);
    new MutationObserver(() => {
      const viseme = element.getAttribute("data-viseme") ?? "sil";
      mouth.push([performance.now(), viseme !== "sil"]);
    }).observe(element, { attributes: true, attributeFilter: ["data-viseme"] });
    element.addEventListener("avatar-chat:voice", (event) => {
      const detail = (event as CustomEvent<{ messageId: string; index: number | null }>).detail;
      if (detail.index !== null) voice.push(`${detail.messageId}:${detail.index}`);
    });
  };
  watch();
}

export interface Recorded {
  played: Array<{
    at: number;
    heardAt?: number;
    /** The context time the sentence was started at. */
    startsAt: number;
    onsets: number[];
    leadQuietMs: number;
    tailQuietMs: number;
    duration: number;
    stoppedAt: number | null;
  }>;
  mouth: Array<[number, boolean]>;
  voice: string[];
  stamps: Array<[number, number]>;
}

export const recorded = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as {
      __played: unknown;
      __mouth: unknown;
      __voice: unknown;
      __stamps: unknown;
    };
    return { played: w.__played, mouth: w.__mouth, voice: w.__voice, stamps: w.__stamps } as Recorded;
  });

/** When context time `contextTime` was heard, by the first output-clock reading at or after it. */
function heardTime(stamps: Recorded["stamps"], contextTime: number): number | undefined {
  let low = 0;
  let high = stamps.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (stamps[mid]![0] < contextTime) low = mid + 1;
    else high = mid;
  }
  const stamp = stamps[low];
  return stamp && stamp[1] + (contextTime - stamp[0]) * 1000;
}

/**
 * For each energy onset of the audio played: ms from the onset (as heard) to the mouth opening, negative
 * when the mouth leads. An onset is measurable when the mouth rested at some moment of the 100 ms before
 * it (the pause before an onset lasts at least 120 ms; the mouth takes about 100 ms to close); the lag is
 * to the first opening after that rest.
 */
export function lipsyncLags(data: Recorded): number[] {
  const lags: number[] = [];
  const heard = data.played.map((sentence) => {
    // Heard: the context's output timestamp (output latency included); else when it was started.
    const start = sentence.heardAt ?? sentence.at;
    return { start, end: sentence.stoppedAt ?? start + sentence.duration };
  });
  for (const [index, sentence] of data.played.entries()) {
    const { start, end } = heard[index]!;
    // Sentences play back to back: the first onset follows a pause only if the previous one ended in one.
    const previous = data.played[index - 1];
    const gap = previous ? Math.max(0, start - heard[index - 1]!.end) : Number.POSITIVE_INFINITY;
    const pauseBeforeFirst = sentence.leadQuietMs + gap + (previous?.tailQuietMs ?? 0);
    for (const [n, onset] of sentence.onsets.entries()) {
      if (n === 0 && pauseBeforeFirst < 120) continue;
      const at = heardTime(data.stamps, sentence.startsAt + onset / 1000) ?? start + onset;
      if (at >= end) continue;
      const from = at - 100;
      // The mouth's state at `from`, then its changes up to the onset: the last moment it rested.
      const atFrom = data.mouth.filter(([t]) => t <= from).at(-1);
      const closing = data.mouth.filter(([t, open]) => t > from && t <= at && !open).at(-1);
      const rested = closing?.[0] ?? (atFrom?.[1] ? undefined : from);
      if (rested === undefined) continue;
      const opened = data.mouth.find(([t, open]) => t > rested && open);
      if (opened && opened[0] < end) lags.push(opened[0] - at);
    }
  }
  return lags;
}

/** Opens the widget at `url` with the probe installed, waits for the greeting and turns voice on. */
export async function openVoiced(page: Page, url: string) {
  // tsx (the bench) compiles named inner functions to __name(...) calls, which the page lacks.
  await page.addInitScript({ content: "globalThis.__name ??= (f) => f;" });
  await page.addInitScript(recordVoice);
  await page.goto(url);
  await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
  const widget = page.locator("avatar-chat");
  await widget.locator(".message.assistant.complete").first().waitFor({ state: "attached", timeout: 60_000 });
  await widget.locator("button.mute").click();
  await widget.locator("button.mute[aria-pressed='true']").waitFor({ state: "attached" });
  return widget;
}

export async function ask(page: Page, question: string) {
  const widget = page.locator("avatar-chat");
  await widget.locator("textarea").fill(question);
  await widget.locator("textarea").press("Enter");
}

/**
 * Asks `question` and waits until its answer is complete and its audio has played out: the player idle,
 * with no sentence started for a second (a sentence still decoding would start within that).
 */
export async function askAndListen(page: Page, question: string) {
  const widget = page.locator("avatar-chat");
  const answers = widget.locator(".message.assistant");
  const answer = answers.nth(await answers.count());
  await ask(page, question);
  const deadline = Date.now() + 90_000;
  const finished = async () => {
    const played = (await recorded(page)).played.length;
    const idle = (await widget.getAttribute("data-voice")) === "idle";
    return { played, done: idle && ((await answer.getAttribute("class")) ?? "").includes("complete") };
  };
  let last = await finished();
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no complete spoken answer to "${question}"`);
    await page.waitForTimeout(1000);
    const now = await finished();
    if (last.done && now.done && now.played === last.played && now.played > 0) return;
    last = now;
  }
}
