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
    onsets: number[];
    duration: number;
    stoppedAt: number | null;
  };
  const played: Played[] = [];
  const mouth: Array<[number, boolean]> = [];
  const voice: string[] = [];
  Object.assign(window, { __played: played, __mouth: mouth, __voice: voice });
  // Energy onsets of a buffer: 10 ms windows; an onset is the first loud window (RMS > 0.03)
  // after 120 ms of near silence (RMS < 0.01).
  const onsetsOf = (buffer: AudioBuffer) => {
    const data = buffer.getChannelData(0);
    const win = Math.round(buffer.sampleRate / 100);
    const out: number[] = [];
    let quiet = 12;
    for (let i = 0; i + win <= data.length; i += win) {
      let sum = 0;
      for (let j = i; j < i + win; j++) sum += data[j]! * data[j]!;
      const rms = Math.sqrt(sum / win);
      if (rms < 0.01) quiet++;
      else if (rms > 0.03) {
        if (quiet >= 12) out.push((i / buffer.sampleRate) * 1000);
        quiet = 0;
      }
    }
    return out;
  };
  const start = AudioBufferSourceNode.prototype.start;
  const stop = AudioBufferSourceNode.prototype.stop;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: number[]) {
    const context = this.context as AudioContext;
    const startsAt = context.currentTime;
    const entry: Played = {
      at: performance.now(),
      onsets: this.buffer ? onsetsOf(this.buffer) : [],
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
    onsets: number[];
    duration: number;
    stoppedAt: number | null;
  }>;
  mouth: Array<[number, boolean]>;
  voice: string[];
}

export const recorded = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __played: unknown; __mouth: unknown; __voice: unknown };
    return { played: w.__played, mouth: w.__mouth, voice: w.__voice } as Recorded;
  });

/**
 * For each energy onset of the audio played: ms from the onset (as heard) to the mouth opening, negative
 * when the mouth leads. Only onsets whose mouth was at rest 100 ms before are measurable.
 */
export function lipsyncLags(data: Recorded): number[] {
  const lags: number[] = [];
  for (const sentence of data.played) {
    // Heard: the context's output timestamp (output latency included); else when it was started.
    const start = sentence.heardAt ?? sentence.at;
    const end = sentence.stoppedAt ?? start + sentence.duration;
    for (const onset of sentence.onsets) {
      const at = start + onset;
      if (at >= end) continue;
      const from = at - 100;
      const before = data.mouth.filter(([t]) => t <= from).at(-1);
      if (before?.[1]) continue;
      const opened = data.mouth.find(([t, open]) => t > from && open);
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
