import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type OpenAITestServer, startOpenAIServer, type TranscriptionForm } from "@avatar-chat/ai/testing";
import type { Browser, Page as BrowserPage } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedPage, type Page, type StaticServer } from "../test/harness";
import {
  dashboardCall as callDashboard,
  type RunningPlatform,
  signUpOwner,
  startEmbeddedSite,
} from "../test/platform";
import { lipsyncLags, recorded, recordVoice } from "../test/voice-probe";

// Speech in end to end in Chromium: a question spoken by espeak-ng into Chromium's fake microphone is
// recorded by the widget (MediaRecorder), transcribed by the tenant's AI provider (the OpenAI-protocol
// test server), answered, and the answer is heard while the avatar's mouth moves.

const QUESTION = "When does the store open on Saturdays?";
const ANSWER = "On Saturdays the store opens at ten in the morning. It closes at four in the afternoon.";
const API_KEY = "sk-test-voice-input";

let platform: RunningPlatform;
let ai: OpenAITestServer;
let site: StaticServer;
let browser: Browser;
let pages: Record<string, Page>;
let close: () => Promise<void>;
let wavDir: string;

const dashboardCall = (name: string, input: unknown, cookie: string) =>
  callDashboard(platform, name, input, cookie);

const transcriptions = () =>
  ai.requests.filter((r) => r.path === "/v1/audio/transcriptions").map((r) => r.body as TranscriptionForm);

async function publishedBot(cookie: string, name: string) {
  const created = await dashboardCall(
    "chatbot.create",
    { name, greeting: `Hi, I am ${name}.`, allowedOrigins: [site.url] },
    cookie,
  );
  const chatbot = created.data as { id: string; publicKey: string };
  await dashboardCall("chatbot.publish", { chatbotId: chatbot.id }, cookie);
  return chatbot;
}

async function openWidget(page: BrowserPage, at: string) {
  await page.addInitScript(recordVoice);
  await page.goto(`${site.url}${at}`);
  await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
  return page.locator("avatar-chat");
}

beforeAll(async () => {
  ai = await startOpenAIServer({
    apiKey: API_KEY,
    behaviour: {
      // The recording's bytes are Chromium's own Opus encoding of the fake microphone: the server is told
      // what it hears rather than matching them (docs/ai.md, "Testing helpers").
      transcript: QUESTION,
      reply: (messages) => (messages.at(-1)?.content.includes("Saturdays") ? ANSWER : "I am not sure."),
    },
  });
  wavDir = await mkdtemp(path.join(tmpdir(), "voice-input-"));
  const wav = path.join(wavDir, "question.wav");
  await promisify(execFile)("espeak-ng", ["-v", "en", "-w", wav, QUESTION]);
  ({ platform, site, browser, pages, close } = await startEmbeddedSite({
    // The test server listens on 127.0.0.1, which the platform refuses unless the operator allows it.
    platformEnv: { AI_ALLOWED_PRIVATE_HOSTS: new URL(ai.url).host },
    chromiumArgs: [
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}`,
      "--autoplay-policy=no-user-gesture-required",
    ],
  }));
  // A workspace with an AI provider (transcribes), and one without (the offline provider: no transcription).
  const withProvider = await signUpOwner(platform, "Voice Input Test");
  await dashboardCall(
    "ai.update",
    {
      provider: "openai",
      baseUrl: ai.url,
      apiKey: API_KEY,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
    },
    withProvider,
  );
  const listener = await publishedBot(withProvider, "Ava");
  const offline = await publishedBot(await signUpOwner(platform, "No Provider Test"), "Otto");
  const page = (bot: string) =>
    embedPage(`<avatar-chat bot="${bot}" avatar="2d" open></avatar-chat>`, {
      scriptSrc: `${platform.url}/widget/avatar-chat.js`,
    });
  pages["/"] = page(listener.publicKey);
  pages["/offline"] = page(offline.publicKey);
}, 240_000);

afterAll(async () => {
  await close?.();
  await ai?.close();
  if (wavDir) await rm(wavDir, { recursive: true, force: true });
});

describe("speech in", () => {
  it("records a spoken question, has it transcribed and answered, and the answer is heard while the mouth moves", async () => {
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    const widget = await openWidget(page, "/");
    expect(await widget.getAttribute("data-voice-input")).toBe("server");
    const mic = widget.locator("button.voice");
    expect(await mic.isVisible()).toBe(true);
    expect(await mic.getAttribute("aria-label")).toBe("Speak your question");
    await widget.locator("button.mute").click();

    await mic.click();
    await expect.poll(() => widget.getAttribute("data-recording")).toBe("recording");
    expect(await mic.getAttribute("aria-pressed")).toBe("true");
    expect(await mic.getAttribute("aria-label")).toBe("Stop recording and send");
    // Long enough for the fake microphone to say the question once (espeak-ng: about 2 s).
    await page.waitForTimeout(3000);
    await mic.click();

    await expect.poll(() => widget.getAttribute("data-recording"), { timeout: 60_000 }).toBe("idle");
    const question = widget.locator(".message.user").first();
    await expect.poll(() => question.textContent(), { timeout: 60_000 }).toContain(QUESTION);
    const upload = transcriptions().at(-1)!;
    expect(upload).toMatchObject({ model: "whisper-1", language: "en", file: { type: "audio/webm" } });
    // Seconds of Opus: a real recording, not an empty or header-only file.
    expect(upload.file.bytes).toBeGreaterThan(4000);

    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.textContent(), { timeout: 60_000 }).toContain("opens at ten");
    await expect
      .poll(
        async () =>
          (await recorded(page)).played.length >= 2 && (await widget.getAttribute("data-voice")) === "idle",
        { timeout: 60_000 },
      )
      .toBe(true);
    const data = await recorded(page);
    expect(data.played.every((p) => p.stoppedAt === null && p.duration > 300)).toBe(true);
    const lags = lipsyncLags(data);
    console.log(
      `speech in: answer in ${data.played.length} sentences, mouth lags after pauses (ms) ${JSON.stringify(lags.map(Math.round))}`,
    );
    expect(lags.length).toBeGreaterThanOrEqual(1);
    expect(lags.every((lag) => Math.abs(lag) < 500)).toBe(true);
    expect(problems).toEqual([]);
  }, 180_000);

  it("stops the avatar talking when recording starts (barge-in); Escape drops the recording unsent", async () => {
    const page = await (await browser.newContext()).newPage();
    const widget = await openWidget(page, "/");
    await widget.locator("button.mute").click();
    await widget.locator("textarea").fill(QUESTION);
    await widget.locator("textarea").press("Enter");
    await expect
      .poll(async () => (await recorded(page)).played.length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    const uploads = transcriptions().length;

    await widget.locator("button.voice").click();
    await expect.poll(() => widget.getAttribute("data-recording")).toBe("recording");
    expect((await recorded(page)).played.at(-1)?.stoppedAt).not.toBeNull();

    await widget.locator("button.voice").press("Escape");
    await expect.poll(() => widget.getAttribute("data-recording")).toBe("idle");
    expect(await widget.locator(".panel").isVisible()).toBe(true);
    expect(await widget.locator("button.voice").getAttribute("aria-pressed")).toBe("false");
    expect(transcriptions()).toHaveLength(uploads);
    expect(await widget.locator(".message.user").count()).toBe(1);
  });

  it("has no microphone button without a provider and without the Web Speech API", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.addInitScript(() => {
      const scope = window as unknown as Record<string, unknown>;
      delete scope.SpeechRecognition;
      delete scope.webkitSpeechRecognition;
    });
    const widget = await openWidget(page, "/offline");
    expect(await widget.getAttribute("data-voice-input")).toBe("none");
    expect(await widget.locator("button.voice").isVisible()).toBe(false);
  });

  it("falls back to the Web Speech API without a provider where the browser has it", async () => {
    const page = await (await browser.newContext()).newPage();
    // A stand-in recogniser (headless Chromium's own has no speech service): it hears one final phrase.
    await page.addInitScript(() => {
      class Recognition {
        onresult: ((event: unknown) => void) | null = null;
        onend: (() => void) | null = null;
        onerror: (() => void) | null = null;
        start() {
          setTimeout(() => {
            this.onresult?.({
              results: [Object.assign([{ transcript: "Hello from the browser" }], { isFinal: true })],
            });
            this.onend?.();
          }, 50);
        }
        stop() {}
      }
      Object.assign(window, { SpeechRecognition: Recognition });
    });
    const widget = await openWidget(page, "/offline");
    expect(await widget.getAttribute("data-voice-input")).toBe("browser");
    const uploads = transcriptions().length;
    await widget.locator("button.voice").click();
    await expect
      .poll(() => widget.locator(".message.user").first().textContent(), { timeout: 30_000 })
      .toContain("Hello from the browser");
    expect(transcriptions()).toHaveLength(uploads);
  });
});
