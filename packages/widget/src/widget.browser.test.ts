import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../test/axe";
import { tinyGlb } from "../test/glb";
import {
  buildWidget,
  embedPage,
  hostileCss,
  launchChromium,
  type StaticServer,
  serveStatic,
} from "../test/harness";

// The built bundle in real headless Chromium, on pages with a strict CSP (script-src 'self';
// style-src 'self') and a hostile global CSS reset. Preview mode needs no server.

const screenshot = path.resolve(import.meta.dirname, "../../../docs/screenshots/widget.png");
const greeting = "Hello! I am Ava. Ask me anything about our products, opening hours or your order.";

let bundle: Awaited<ReturnType<typeof buildWidget>>;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  bundle = await buildWidget({ minify: false });
  const glb = tinyGlb(["jawOpen", "mouthFunnel", "eyeBlinkLeft", "eyeBlinkRight"]);
  server = await serveStatic({
    dir: bundle.dir,
    extra: (request, response) => {
      if (request.url !== "/arkit.glb") return false;
      response.setHeader("content-type", "model/gltf-binary");
      response.end(glb);
      return true;
    },
    pages: {
      "/hostile.css": hostileCss,
      "/favicon.ico": { body: "", type: "image/x-icon" },
      "/tenant.html": embedPage(
        `<avatar-chat id="glb" mode="inline" preview avatar="glb" avatar-url="/arkit.glb"></avatar-chat>
         <avatar-chat id="broken" mode="inline" preview avatar="glb" avatar-url="/missing.glb"></avatar-chat>`,
      ),
      "/one.html": embedPage(
        `<avatar-chat preview name="Ava" greeting="${greeting}" primary-color="#0f766e"></avatar-chat>`,
      ),
      "/many.html": embedPage(`
        <div id="a" class="box"><avatar-chat id="inline-a" mode="inline" preview name="Ava"></avatar-chat></div>
        <div id="b" class="box"><avatar-chat id="inline-b" mode="inline" preview name="Ben" theme="dark"></avatar-chat></div>
        <avatar-chat id="floating" preview name="Cleo" position="left"></avatar-chat>`),
      // A tenant's page with landmarks of its own, as most sites have.
      "/host.html": embedPage(`
        <header><a href="/">Shop</a></header>
        <main><h1>Our products</h1><p>Everything you need.</p></main>
        <avatar-chat preview name="Ava" greeting="${greeting}"></avatar-chat>`),
      "/de.html": embedPage(`<avatar-chat preview name="Ava"></avatar-chat>`, { lang: "de" }),
      "/nobot.html": embedPage(`<avatar-chat api="http://127.0.0.1:9/"></avatar-chat>`),
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await bundle?.remove();
});

/** Opens a page and records CSP violations and page errors. */
async function open(path: string, options: { width?: number; height?: number; browser?: Browser } = {}) {
  const context = await (options.browser ?? browser).newContext({
    viewport: { width: options.width ?? 1000, height: options.height ?? 800 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = violations;
    document.addEventListener("securitypolicyviolation", (event) => {
      violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => customElements.get("avatar-chat") !== undefined);
  const cspViolations = () => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  return { page, problems, cspViolations, close: () => context.close() };
}

/** Collects the distinct `data-viseme` values an element shows over `ms`. */
function visemesOver(page: Page, selector: string, ms: number): Promise<string[]> {
  return page.evaluate(
    ([sel, duration]) =>
      new Promise<string[]>((resolve) => {
        const element = document.querySelector(sel as string)!;
        const seen = new Set<string>();
        const started = performance.now();
        const tick = () => {
          const value = element.getAttribute("data-viseme");
          if (value) seen.add(value);
          if (performance.now() - started < (duration as number)) requestAnimationFrame(tick);
          else resolve([...seen]);
        };
        tick();
      }),
    [selector, ms] as const,
  );
}

describe("<avatar-chat> in Chromium", () => {
  it("opens under a strict CSP and a hostile reset, shows the 3D avatar and moves its mouth", async () => {
    const { page, problems, cspViolations, close } = await open("/one.html");
    const launcher = page.locator("avatar-chat").locator(".launcher");
    await expect.poll(() => launcher.getAttribute("aria-label")).toBe("Open chat");
    await launcher.click();
    await page.waitForSelector("avatar-chat[data-avatar]", { state: "attached" });
    expect(await page.getAttribute("avatar-chat", "data-avatar")).toBe("3d");

    // The greeting streams in and the mouth follows it.
    const visemes = await visemesOver(page, "avatar-chat", 2500);
    expect(visemes.filter((v) => v !== "sil").length).toBeGreaterThan(2);
    const message = page.locator("avatar-chat").locator(".message.assistant").first();
    await expect.poll(() => message.textContent(), { timeout: 15_000 }).toContain("opening hours");

    // Page CSS does not leak through the shadow boundary.
    const input = page.locator("avatar-chat").locator("textarea");
    const styles = await input.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        fontSize: s.fontSize,
        transform: s.textTransform,
        spacing: s.letterSpacing,
        display: s.display,
      };
    });
    expect(styles).toEqual({ fontSize: "15px", transform: "none", spacing: "normal", display: "block" });

    // Frames change while the avatar is alive (idle motion, blinking, speech).
    const stage = page.locator("avatar-chat").locator(".stage");
    const first = await stage.screenshot();
    await page.waitForTimeout(400);
    const second = await stage.screenshot();
    expect(first.equals(second)).toBe(false);

    await mkdir(path.dirname(screenshot), { recursive: true });
    await page.locator("avatar-chat").locator(".panel").screenshot({ path: screenshot });
    expect(await page.evaluate(() => performance.getEntriesByName("avatar-chat:first-frame").length)).toBe(1);
    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it("renders model text safely: HTML stays text, javascript: links are refused", async () => {
    const { page, close } = await open("/one.html");
    await page.evaluate(async () => {
      const element = document.querySelector("avatar-chat") as HTMLElement & {
        say(t: string): Promise<void>;
      };
      await element.say(
        'Look: <img src=x onerror="window.__xss=1"> **bold** [bad](javascript:window.__xss=2) [good](https://example.com/docs)',
      );
    });
    const shadow = page.locator("avatar-chat");
    const last = shadow.locator(".message.assistant").last();
    await expect.poll(() => last.getAttribute("class"), { timeout: 30_000 }).toContain("complete");
    expect(await last.locator("img").count()).toBe(0);
    expect(await last.textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await last.textContent()).not.toContain("javascript:");
    expect(await last.locator("strong").textContent()).toBe("bold");
    const links = await last
      .locator(".body a")
      .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute("href"), rel: a.getAttribute("rel") })));
    expect(links).toEqual([{ href: "https://example.com/docs", rel: "noopener noreferrer nofollow" }]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await close();
  });

  it("works with the keyboard alone and fits a 320 px wide screen", async () => {
    const { page, close } = await open("/one.html", { width: 320 });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector("avatar-chat[open]", { state: "attached" });
    // Focus moves into the composer.
    await expect
      .poll(() =>
        page.evaluate(() => document.querySelector("avatar-chat")!.shadowRoot!.activeElement?.tagName),
      )
      .toBe("TEXTAREA");
    // Software WebGL keeps the main thread busy, so streaming the greeting can take a while here.
    await expect
      .poll(
        () =>
          page
            .locator("avatar-chat")
            .locator(".message")
            .evaluateAll((m) => m.map((e) => e.className)),
        {
          timeout: 30_000,
        },
      )
      .toEqual(["message assistant complete"]);
    const box = await page.locator("avatar-chat").locator(".panel").boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    await page.keyboard.type("Hi there");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("avatar-chat").locator(".message.user").count()).toBe(1);
    // Escape closes and gives focus back to the launcher.
    await page.keyboard.press("Escape");
    await page.waitForSelector("avatar-chat:not([open])", { state: "attached" });
    expect(
      await page.evaluate(() => document.querySelector("avatar-chat")!.shadowRoot!.activeElement?.className),
    ).toBe("launcher");
    await close();
  });

  it("runs several instances on one page independently", async () => {
    const { page, problems, cspViolations, close } = await open("/many.html");
    await page.waitForSelector("#inline-a[data-avatar='3d']", { state: "attached" });
    await page.waitForSelector("#inline-b[data-avatar='3d']", { state: "attached" });
    expect(await page.getAttribute("#floating", "open")).toBeNull();
    await page.locator("#floating").locator(".launcher").click();
    await page.waitForSelector("#floating[data-avatar]", { state: "attached" });
    expect(await page.locator("#inline-b").locator(".root").getAttribute("class")).toContain("dark");
    await page.evaluate(() => {
      (document.querySelector("#inline-b") as HTMLElement & { say(t: string): Promise<void> }).say(
        "Only Ben talks.",
      );
    });
    const ben = await visemesOver(page, "#inline-b", 1200);
    expect(ben.some((v) => v !== "sil")).toBe(true);
    expect(await page.locator("#inline-a").locator(".message").count()).toBe(0);
    // Removing an element frees its avatar.
    await page.evaluate(() => document.querySelector("#inline-a")!.remove());
    await page.waitForFunction(() => !document.querySelector("#inline-a"));
    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it("loads a tenant GLB with ARKit blend shapes and falls back to the default avatar when a model fails", async () => {
    const { page, cspViolations, close } = await open("/tenant.html");
    await page.waitForSelector("#glb[data-avatar-model]", { state: "attached" });
    expect(await page.getAttribute("#glb", "data-avatar-model")).toBe("glb/arkit");
    await page.waitForSelector("#broken[data-avatar-model]", { state: "attached" });
    expect(await page.getAttribute("#broken", "data-avatar-model")).toBe("default/oculus");
    expect(await cspViolations()).toEqual([]);
    await close();
  });

  it("speaks German UI strings from the page language", async () => {
    const { page, close } = await open("/de.html");
    await expect
      .poll(() => page.locator("avatar-chat").locator(".launcher").getAttribute("aria-label"))
      .toBe("Chat öffnen");
    await close();
  });

  it("shows a visible reason and a retry when the API cannot be reached", async () => {
    const { page, close } = await open("/nobot.html");
    await page.locator("avatar-chat").locator(".launcher").click();
    const status = page.locator("avatar-chat").locator(".status.error");
    await expect.poll(() => status.textContent()).toContain("no bot key");
    expect(await status.locator("button.retry").count()).toBe(1);
    await close();
  });

  it("falls back to the 2D avatar without WebGL and keeps the chat working", async () => {
    const noGl = await launchChromium(["--disable-3d-apis"]);
    try {
      const { page, problems, cspViolations, close } = await open("/one.html", { browser: noGl });
      await page.locator("avatar-chat").locator(".launcher").click();
      await page.waitForSelector("avatar-chat[data-avatar]", { state: "attached" });
      expect(await page.getAttribute("avatar-chat", "data-avatar")).toBe("2d");
      const visemes = await visemesOver(page, "avatar-chat", 1500);
      expect(visemes.filter((v) => v !== "sil").length).toBeGreaterThan(1);
      await page.locator("avatar-chat").locator("textarea").fill("Still works?");
      await page.locator("avatar-chat").locator("textarea").press("Enter");
      await expect
        .poll(() => page.locator("avatar-chat").locator(".message.user").textContent())
        .toContain("Still works?");
      expect(await cspViolations()).toEqual([]);
      expect(problems.filter((p) => !p.includes("WebGL"))).toEqual([]);
      await close();
    } finally {
      await noGl.close();
    }
  });

  it("is a good guest on the host page: one banner landmark, no serious axe violations", async () => {
    const { page, close } = await open("/host.html");
    const widget = page.locator("avatar-chat");
    await widget.locator(".launcher").click();
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    // The panel's title bar must not become a second `banner` beside the site's own header.
    expect(await page.getByRole("banner").count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await close();
  });

  it("keeps the conversation readable at 200 % zoom (a 640×400 CSS px viewport)", async () => {
    const { page, close } = await open("/host.html", { width: 640, height: 400 });
    const widget = page.locator("avatar-chat");
    await widget.locator(".launcher").click();
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    const heights = await widget.locator(".panel").evaluate((panel) => ({
      messages: panel.querySelector<HTMLElement>(".messages")!.clientHeight,
      stage: panel.querySelector<HTMLElement>(".stage")!.getBoundingClientRect().height,
    }));
    // Several lines of an answer stay visible; the avatar gives way.
    expect(heights.messages).toBeGreaterThanOrEqual(100);
    expect(heights.stage).toBeLessThan(110);
    const box = await widget.locator(".panel").boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    await close();
  });

  it("tells the visitor when a message is over the 4,000-character limit instead of cutting it", async () => {
    const { page, close } = await open("/host.html");
    const widget = page.locator("avatar-chat");
    await widget.locator(".launcher").click();
    await expect
      .poll(() => widget.locator(".message.assistant.complete").count(), { timeout: 30_000 })
      .toBe(1);
    const input = widget.locator("textarea");
    await input.fill("a".repeat(3700));
    await expect.poll(() => widget.locator(".counter").textContent()).toBe("300 characters left");
    await input.fill("b".repeat(4500)); // a paste: nothing is cut
    expect((await input.inputValue()).length).toBe(4500);
    const counter = widget.locator(".counter");
    await expect.poll(() => counter.textContent()).toContain("500 characters too long");
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    await input.press("Enter");
    await expect
      .poll(() => widget.locator(".status.error").textContent())
      .toContain("500 characters too long");
    expect(await widget.locator(".message.user").count()).toBe(0);
    expect((await input.inputValue()).length).toBe(4500);
    await input.fill("c".repeat(4000));
    expect(await input.getAttribute("aria-invalid")).toBeNull();
    await close();
  });
});
