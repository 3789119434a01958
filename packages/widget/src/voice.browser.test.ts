import type { Browser, Page as BrowserPage } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedPage, type Page, type StaticServer } from "../test/harness";
import {
  createAnsweringChatbot,
  type RunningPlatform,
  signUpOwner,
  startEmbeddedSite,
  VOICE_KNOWLEDGE,
} from "../test/platform";
import { ask, lipsyncLags, openVoiced as openAt, recorded } from "../test/voice-probe";

// The server's voice end to end in Chromium: the real platform (its worker runs espeak-ng), the widget
// embedded on another origin, audio that really plays through the page's AudioContext, and the mouth
// measured against the audio's own energy.

let platform: RunningPlatform;
let site: StaticServer;
let browser: Browser;
let pages: Record<string, Page>;
let close: () => Promise<void>;

const openVoiced = (page: BrowserPage) => openAt(page, `${site.url}/`);

beforeAll(async () => {
  ({ platform, site, browser, pages, close } = await startEmbeddedSite({
    chromiumArgs: ["--autoplay-policy=no-user-gesture-required"],
  }));
  const cookie = await signUpOwner(platform, "Voice Test");
  const chatbot = await createAnsweringChatbot(platform, cookie, {
    allowedOrigin: site.url,
    knowledge: VOICE_KNOWLEDGE,
  });
  // The 2D avatar: the mouth is measured, not SwiftShader's frame rate.
  pages["/"] = embedPage(`<avatar-chat bot="${chatbot.publicKey}" avatar="2d" open></avatar-chat>`, {
    scriptSrc: `${platform.url}/widget/avatar-chat.js`,
  });
}, 240_000);

afterAll(() => close?.());

describe("the avatar speaks with the server's voice", () => {
  it("plays every sentence once, in order, with the mouth following the audio's energy", async () => {
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    const widget = await openVoiced(page);
    await ask(page, "When does the store open on Saturdays?");
    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    // Every sentence played through to its end.
    await expect
      .poll(
        async () => {
          const data = await recorded(page);
          return data.played.length >= 2 && (await widget.getAttribute("data-voice")) === "idle";
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    const data = await recorded(page);
    const indices = data.voice.map((v) => Number(v.split(":")[1]));
    expect(indices).toEqual(indices.map((_, i) => i));
    expect(data.played.every((p) => p.stoppedAt === null && p.duration > 300)).toBe(true);
    // One after another, never over each other: each starts (on the context's clock) once the one
    // before has ended.
    const overlaps = data.played
      .slice(1)
      .map((p, i) => data.played[i]!.startsAt + data.played[i]!.duration / 1000 - p.startsAt)
      .filter((overlap) => overlap > 0.005);
    expect(overlaps).toEqual([]);
    const lags = lipsyncLags(data);
    console.log(
      `voice: ${data.played.length} sentences, mouth changed ${data.mouth.length} times, lags after pauses (ms) ${JSON.stringify(lags.map(Math.round))}`,
    );
    // Onsets after a rest (the first sentence's at least; inside sentences the mouth rarely rests).
    expect(lags.length).toBeGreaterThanOrEqual(1);
    // The mouth opens near every measurable onset (how near is the bench's business).
    expect(lags.every((lag) => Math.abs(lag) < 500)).toBe(true);
    expect(problems).toEqual([]);
  });

  it("resumes after the socket drops mid-answer without repeating or skipping a sentence", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let armed = false;
    let cut = false;
    await page.routeWebSocket(/\/realtime/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const text = String(message);
        // Cut the socket right after the first sentence's audio event went through.
        ws.send(message);
        if (armed && !cut && text.includes('"voice.audio"') && text.includes('"index":0')) {
          cut = true;
          void ws.close();
          void server.close();
        }
      });
    });
    const widget = await openVoiced(page);
    armed = true;
    await ask(page, "When does the store open on Saturdays?");
    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    expect(cut).toBe(true);
    await expect.poll(() => widget.getAttribute("data-voice"), { timeout: 60_000 }).toBe("idle");
    const data = await recorded(page);
    const indices = data.voice.map((v) => Number(v.split(":")[1]));
    expect(indices.length).toBeGreaterThanOrEqual(2);
    expect(indices).toEqual(indices.map((_, i) => i));
    expect(data.played).toHaveLength(indices.length);
  });

  it("paints a burst of streamed text once per frame, not once per event (the mouth keeps its frames)", async () => {
    const page = await (await browser.newContext()).newPage();
    // Hold the answer's events, then deliver them all at once: dozens of ws messages inside one frame.
    let holding = false;
    const held: Array<string | Buffer> = [];
    let toPage: (message: string | Buffer) => void = () => {};
    let release = () => {};
    const completed = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.routeWebSocket(/\/realtime/, (ws) => {
      const server = ws.connectToServer();
      toPage = (message) => ws.send(message);
      server.onMessage((message) => {
        if (!holding) return ws.send(message);
        held.push(message);
        const text = String(message);
        if (text.includes('"message.complete"') && text.includes('"role":"assistant"')) release();
      });
    });
    const widget = await openVoiced(page);
    holding = true;
    await ask(page, "When does the store open on Saturdays?");
    await completed;
    const deltas = held.filter((message) => String(message).includes('"message.delta"')).length;
    expect(deltas).toBeGreaterThan(5);
    await page.evaluate(() => {
      const list = document.querySelector("avatar-chat")!.shadowRoot!.querySelector(".messages")!;
      const w = window as unknown as { __paints: number };
      w.__paints = 0;
      new MutationObserver(() => {
        w.__paints++;
      }).observe(list, { childList: true, subtree: true, characterData: true });
    });
    holding = false;
    for (const message of held) toPage(message);
    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    const paints = await page.evaluate(() => (window as unknown as { __paints: number }).__paints);
    // Each paint is one MutationObserver delivery; per-event painting made one per delta.
    expect(paints).toBeLessThan(deltas / 2);
  });

  it("stops talking at once when the visitor starts typing (barge-in)", async () => {
    const page = await (await browser.newContext()).newPage();
    const widget = await openVoiced(page);
    await ask(page, "When does the store open on Saturdays?");
    await expect
      .poll(async () => (await recorded(page)).played.length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    await widget.locator("textarea").pressSequentially("Wait");
    const afterTyping = await recorded(page);
    expect(afterTyping.played.at(-1)?.stoppedAt).not.toBeNull();
    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    // Sentences that arrive after the barge-in are not played.
    const later = await recorded(page);
    expect(later.played).toHaveLength(afterTyping.played.length);
  });
});
