import path from "node:path";
import type { Browser, Page as BrowserPage } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildWidget,
  embedPage,
  launchChromium,
  type Page,
  type StaticServer,
  serveStatic,
} from "../test/harness";
import {
  dashboardCall as callDashboard,
  type RunningPlatform,
  signUpOwner,
  startPlatform,
} from "../test/platform";
import { instrument, lipsyncLags, recorded } from "../test/voice-measure";

// The server's voice end to end in Chromium: the real platform (its worker runs espeak-ng), the widget
// embedded on another origin, audio that really plays through the page's AudioContext, and the mouth
// measured against the audio's own energy.

const KNOWLEDGE = `# Opening hours
The Acme store opens at nine in the morning on weekdays. On Saturdays it opens at ten and closes at four. On Sundays the store is closed all day.`;

let bundle: Awaited<ReturnType<typeof buildWidget>>;
let platform: RunningPlatform;
let site: StaticServer;
let browser: Browser;
const pages: Record<string, Page> = { "/favicon.ico": { body: "", type: "image/x-icon" } };

const dashboardCall = (name: string, input: unknown, cookie: string) =>
  callDashboard(platform, name, input, cookie);

async function openVoiced(page: BrowserPage) {
  await page.addInitScript(instrument);
  await page.goto(`${site.url}/`);
  await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
  const widget = page.locator("avatar-chat");
  await expect
    .poll(() => widget.locator(".message.assistant").first().getAttribute("class"))
    .toContain("complete");
  await widget.locator("button.mute").click();
  expect(await widget.locator("button.mute").getAttribute("aria-pressed")).toBe("true");
  return widget;
}

async function ask(page: BrowserPage, question: string) {
  const widget = page.locator("avatar-chat");
  await widget.locator("textarea").fill(question);
  await widget.locator("textarea").press("Enter");
}

beforeAll(async () => {
  [bundle, platform] = await Promise.all([
    buildWidget({ outDir: path.resolve(import.meta.dirname, "../dist") }),
    startPlatform(),
  ]);
  const api = new URL(platform.url);
  site = await serveStatic({
    dir: bundle.dir,
    csp: `default-src 'self'; script-src 'self' ${api.origin}; style-src 'self'; connect-src 'self' ${api.origin} ws://${api.host}`,
    pages,
  });
  const cookie = await signUpOwner(platform, "Voice Test");
  const created = await dashboardCall(
    "chatbot.create",
    { name: "Ava", greeting: "Hi, I am Ava.", allowedOrigins: [site.url] },
    cookie,
  );
  const chatbot = created.data as { id: string; publicKey: string };
  await dashboardCall("chatbot.publish", { chatbotId: chatbot.id }, cookie);
  await dashboardCall(
    "knowledge.addText",
    { chatbotId: chatbot.id, title: "Hours", text: KNOWLEDGE },
    cookie,
  );
  for (let tries = 0; ; tries++) {
    const sources = await dashboardCall("knowledge.list", { chatbotId: chatbot.id }, cookie);
    if (JSON.stringify(sources.data).includes('"ready"')) break;
    if (tries > 600) throw new Error("the knowledge was not indexed");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The 2D avatar: the mouth is measured, not SwiftShader's frame rate.
  pages["/"] = embedPage(`<avatar-chat bot="${chatbot.publicKey}" avatar="2d" open></avatar-chat>`, {
    scriptSrc: `${platform.url}/widget/avatar-chat.js`,
  });
  browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await platform?.close();
  await bundle?.remove();
});

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
