import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedPage, hostileCss, type Page, type StaticServer } from "../test/harness";
import {
  dashboardCall as callDashboard,
  type RunningPlatform,
  signUpOwner,
  startEmbeddedSite,
} from "../test/platform";

// End to end: the widget script served by the real platform, embedded in a tenant's page (its own
// origin, strict CSP), talks to that platform (api + worker + realtime, embedded database, the
// shared Redis) and its offline AI provider.

const screenshot = path.resolve(import.meta.dirname, "../../../docs/screenshots/widget-chat.png");

let platform: RunningPlatform;
let site: StaticServer;
let browser: Browser;
let pages: Record<string, Page>;
let close: () => Promise<void>;
let publicKey: string;
/** The tenant's site under a host name that is not loopback: plain http there is not a secure context. */
let insecureSiteUrl: string;
/** The tenant owner's session, for dashboard calls. */
let cookie: string;
/** A dashboard call with the owner's session cookie. */
const dashboardCall = (name: string, input: unknown, cookie: string) =>
  callDashboard(platform, name, input, cookie);

beforeAll(async () => {
  // The tenant's site: a different origin from the platform, with a strict CSP.
  ({ platform, site, browser, pages, close } = await startEmbeddedSite({
    pages: { "/hostile.css": hostileCss },
    chromiumArgs: ["--host-resolver-rules=MAP shop.test 127.0.0.1"],
  }));
  cookie = await signUpOwner(platform, "Widget Test");
  insecureSiteUrl = `http://shop.test:${new URL(site.url).port}`;
  const created = await dashboardCall(
    "chatbot.create",
    { name: "Ava", greeting: "Hi, I am Ava. How can I help?", allowedOrigins: [site.url, insecureSiteUrl] },
    cookie,
  );
  const chatbot = created.data as { id: string; publicKey: string };
  await dashboardCall("chatbot.publish", { chatbotId: chatbot.id }, cookie);
  publicKey = chatbot.publicKey;
  // The embed snippet as the dashboard shows it: the script from the platform, no api attribute
  // (the widget takes the API origin from the script's URL).
  pages["/"] = embedPage(`<avatar-chat bot="${publicKey}" open></avatar-chat>`, {
    scriptSrc: `${platform.url}/widget/avatar-chat.js`,
  });
  // As most sites embed it: closed until the visitor opens it.
  pages["/closed"] = embedPage(`<avatar-chat bot="${publicKey}"></avatar-chat>`, {
    scriptSrc: `${platform.url}/widget/avatar-chat.js`,
  });
}, 240_000);

afterAll(() => close?.());

describe("<avatar-chat> against the running platform", () => {
  it("starts a visitor session, streams an answer with a moving mouth, keeps the chat across reloads", async () => {
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${site.url}/`);
    const widget = page.locator("avatar-chat");
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    expect(await widget.locator("h2").textContent()).toBe("Ava");
    await expect
      .poll(() => widget.locator(".message.assistant").first().textContent(), { timeout: 30_000 })
      .toContain("How can I help?");

    // Ask; watch the mouth while the answer streams in over the realtime socket.
    const mouth = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const element = document.querySelector("avatar-chat")!;
          const seen = new Set<string>();
          const observer = new MutationObserver(() => seen.add(element.getAttribute("data-viseme") ?? ""));
          observer.observe(element, { attributes: true, attributeFilter: ["data-viseme"] });
          setTimeout(() => {
            observer.disconnect();
            resolve([...seen]);
          }, 20_000);
        }),
    );
    await widget.locator("textarea").fill("What are your opening hours?");
    await widget.locator("textarea").press("Enter");
    await expect.poll(() => widget.locator(".message.user").count()).toBe(1);
    const answer = widget.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    expect((await answer.locator(".body").textContent())?.trim().length).toBeGreaterThan(0);
    expect((await mouth).filter((v) => v && v !== "sil").length).toBeGreaterThan(0);
    await widget.locator(".panel").screenshot({ path: screenshot });

    // Feedback by keyboard reaches the server (the button stays pressed after the call) and keeps focus.
    await answer.locator(".actions button").first().focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => answer.locator(".actions button").first().getAttribute("aria-pressed"))
      .toBe("true");
    const focused = () =>
      page.evaluate(() =>
        document.querySelector("avatar-chat")!.shadowRoot!.activeElement?.getAttribute("aria-label"),
      );
    expect(await focused()).toBe("Helpful");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Not helpful");

    const stored = await page.evaluate((key) => localStorage.getItem(`avatar-chat:${key}`), publicKey);
    expect(JSON.parse(stored ?? "{}").visitorToken).toMatch(/^vt1\./);

    // A reload resumes the same conversation: same messages, no duplicates.
    const before = await widget.locator(".message .body").allTextContents();
    await page.reload();
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    await expect.poll(() => widget.locator(".message.user").count(), { timeout: 30_000 }).toBe(1);
    const after = await widget.locator(".message .body").allTextContents();
    expect(after).toEqual(before.slice(1)); // the greeting is local; stored messages come back
    expect(problems).toEqual([]);
  });

  it("resumes after the socket drops mid-answer without duplicated or missing text", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Every realtime socket goes through this route. Once armed, the delta with index 2 is dropped
    // and the socket cut, like a network drop in the middle of an answer.
    let armed = false;
    let cut = false;
    await page.routeWebSocket(/\/realtime/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const text = String(message);
        if (armed && !cut && text.includes('"message.delta"') && text.includes('"index":2')) {
          cut = true;
          void ws.close();
          void server.close();
          return;
        }
        ws.send(message);
      });
    });
    await page.goto(`${site.url}/`);
    const widget = page.locator("avatar-chat");
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    // Every text the answer shows on its way must be a prefix of the final answer.
    await page.evaluate(() => {
      const shadow = document.querySelector("avatar-chat")!.shadowRoot!;
      const seen: Array<[string, string]> = [];
      (window as unknown as { __texts: Array<[string, string]> }).__texts = seen;
      new MutationObserver(() => {
        const messages = shadow.querySelectorAll<HTMLElement>(".message.assistant");
        const last = messages[messages.length - 1];
        if (last) seen.push([last.dataset.messageId ?? "", last.querySelector(".body")?.textContent ?? ""]);
      }).observe(shadow, { subtree: true, childList: true, characterData: true });
    });
    // Enter is ignored while an answer streams: let the greeting finish first.
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    const assistants = await widget.locator(".message.assistant").count();
    armed = true;
    await widget.locator("textarea").fill("Tell me about your return policy, please.");
    await widget.locator("textarea").press("Enter");
    await expect
      .poll(() => widget.locator(".message.assistant").count(), { timeout: 60_000 })
      .toBe(assistants + 1);
    const answer = widget.locator(".message.assistant").last();
    await expect.poll(() => answer.getAttribute("class"), { timeout: 60_000 }).toContain("complete");
    const final = (await answer.locator(".body").textContent()) ?? "";
    const id = await answer.getAttribute("data-message-id");
    const texts = await page.evaluate(
      () => (window as unknown as { __texts: Array<[string, string]> }).__texts,
    );
    const streamed = texts.filter(([messageId]) => messageId === id).map(([, text]) => text);
    expect(cut).toBe(true);
    expect(streamed.length).toBeGreaterThan(1);
    for (const text of streamed) expect(final.startsWith(text)).toBe(true);
    await context.close();
  });

  it("offers a person while the bot answers, and loads older messages when scrolled to the top", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${site.url}/`);
    const widget = page.locator("avatar-chat");
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    await expect.poll(() => widget.getByRole("button", { name: "Talk to a person" }).isVisible()).toBe(true);
    // Enter is ignored while the greeting still streams: wait for it to finish first.
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    await widget.locator("textarea").fill("Hello there");
    await widget.locator("textarea").press("Enter");
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 60_000 })
      .toBe(2);
    const stored = await page.evaluate((key) => localStorage.getItem(`avatar-chat:${key}`), publicKey);
    const { conversationId } = JSON.parse(stored ?? "{}") as { conversationId: string };
    // 60 agent replies: the transcript (63 messages) no longer fits the first page of 50.
    for (let i = 1; i <= 60; i++)
      await dashboardCall("conversation.reply", { conversationId, content: `Agent note ${i}` }, cookie);

    await page.reload();
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    await expect.poll(() => widget.locator(".message").count(), { timeout: 30_000 }).toBe(50);
    expect(await widget.locator(".message.user").count()).toBe(0);
    await widget.locator(".messages").evaluate((log) => {
      log.scrollTop = 0;
    });
    // The question, its answer, who joined (the first agent reply took over), 60 agent notes.
    await expect.poll(() => widget.locator(".message").count(), { timeout: 30_000 }).toBe(63);
    const bodies = await widget.locator(".message .body").allTextContents();
    expect(bodies[0]).toBe("Hello there");
    expect(bodies[2]?.trim()).toBe("Widget Test has joined the chat.");
    expect(bodies.at(-1)?.trim()).toBe("Agent note 60");
    expect(new Set(bodies.slice(3)).size).toBe(60);
    // The message that was at the top before stays in view instead of jumping to the new top.
    expect(await widget.locator(".messages").evaluate((log) => log.scrollTop)).toBeGreaterThan(0);
  }, 180_000);

  it("asks for a person on the embedded platform, which keeps answering afterwards", async () => {
    // PGlite has one connection: this request once froze every request after it.
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${site.url}/`);
    const widget = page.locator("avatar-chat");
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    await widget.getByRole("button", { name: "Talk to a person" }).click();
    await widget
      .getByText(/A person will join soon/)
      .first()
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    const answered = await widget.locator(".message.assistant.complete").count();
    await widget.locator("textarea").fill("Are you still there?");
    await widget.locator("textarea").press("Enter");
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 60_000 })
      .toBe(answered + 1);
    await page.context().close();
  }); // 60 agent replies through the api, beside the other browser tests on a busy CI machine

  it("paints the launcher in the chatbot's colour and side before anyone opens it", async () => {
    const created = await dashboardCall(
      "chatbot.create",
      {
        name: "Lia",
        allowedOrigins: [site.url],
        theme: { primaryColor: "#aa3366", position: "bottom-left" },
      },
      cookie,
    );
    const chatbot = created.data as { id: string; publicKey: string };
    await dashboardCall("chatbot.publish", { chatbotId: chatbot.id }, cookie);
    pages["/launcher"] = embedPage(`<avatar-chat bot="${chatbot.publicKey}"></avatar-chat>`, {
      scriptSrc: `${platform.url}/widget/avatar-chat.js`,
    });
    const page = await (await browser.newContext()).newPage();
    const calls: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/trpc/"))
        calls.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    await page.goto(`${site.url}/launcher`);
    const root = page.locator("avatar-chat").locator(".root");
    await expect.poll(() => root.getAttribute("class"), { timeout: 30_000 }).toContain("left");
    expect(await root.evaluate((el) => (el as HTMLElement).style.getPropertyValue("--ac-primary"))).toBe(
      "#aa3366",
    );
    // Only the cacheable config read: no visitor is started until the chat opens.
    expect(calls).toEqual(["GET /trpc/widget.config"]);
    await page.context().close();
  });

  it("opens again after a reload mid-conversation, and sends from a plain http page (no secure context)", async () => {
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${insecureSiteUrl}/closed`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const widget = page.locator("avatar-chat");
    await widget.locator(".launcher").click();
    await page.waitForSelector("avatar-chat[data-state='ready']", { state: "attached", timeout: 60_000 });
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    await widget.locator("textarea").fill("Do you ship abroad?");
    await widget.locator("textarea").press("Enter");
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 60_000 })
      .toBe(2);
    expect(await widget.locator(".message.failed").count()).toBe(0);

    await page.reload();
    await page.waitForSelector("avatar-chat[open][data-state='ready']", {
      state: "attached",
      timeout: 60_000,
    });
    await expect.poll(() => widget.locator(".message.user").count(), { timeout: 30_000 }).toBe(1);
    expect(await widget.locator(".launcher").getAttribute("aria-expanded")).toBe("true");
    // Closed by the visitor, it stays closed after the next reload.
    await widget.locator(".launcher").click();
    await page.reload();
    await expect.poll(() => widget.locator(".launcher").getAttribute("aria-label")).toBe("Open chat");
    expect(await page.getAttribute("avatar-chat", "open")).toBeNull();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);
});
