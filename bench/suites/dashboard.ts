import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildDashboard, launchChromium } from "../../apps/dashboard/test/browser.ts";
import { startStaticServer } from "../../apps/dashboard/test/static-server.ts";
import { type Figures, figure, type Suite } from "../figures.ts";
import { sentKb } from "../sent-size.ts";

// What a first visit costs: the bytes a browser receives for the JS index.html loads before any route
// chunk (the brotli files the build wrote, as the platform sends them), and the time until the sign-in
// form can be used, against a plain HTML form served the same way.

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Scripts and module preloads referenced by index.html: what loads before the router picks a route. */
function initialScripts(html: string): string[] {
  const sources = [
    ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
  ];
  return sources.map((m) => m[1]!);
}

// Records when the sign-in form is usable: its email field and submit button exist (React attached
// its event handlers at the root before rendering them).
const markInteractive = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('input[name="email"]') && document.querySelector('button[type="submit"]')) {
      window.__interactiveAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

const plainForm = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body>
<form><label>Email <input name="email" type="email"></label><button type="submit">Sign in</button></form></body></html>`;

const suite: Suite = {
  name: "dashboard",
  measures: ["apps/dashboard", "packages/realtime", "packages/widget", "bench/suites/dashboard.ts"],
  async run(): Promise<Figures> {
    const dist = await buildDashboard();
    const site = await startStaticServer(dist);
    const browser = await launchChromium();
    try {
      const html = await readFile(path.join(dist, "index.html"), "utf8");
      let initial = 0;
      for (const src of initialScripts(html)) initial += await sentKb(path.join(dist, src));
      let all = 0;
      for (const file of await readdir(path.join(dist, "assets"))) {
        if (file.endsWith(".js")) all += await sentKb(path.join(dist, "assets", file));
      }
      await writeFile(path.join(dist, "floor.html"), plainForm);

      async function timeToInteractive(url: string): Promise<number> {
        const context = await browser.newContext(); // a cold cache per visit
        const page = await context.newPage();
        await page.addInitScript(markInteractive);
        await page.goto(url);
        // Strings, not functions: they run in the page, and bench has no DOM types.
        await page.waitForFunction("window.__interactiveAt !== undefined");
        const at = (await page.evaluate("window.__interactiveAt")) as number;
        await context.close();
        return at;
      }
      const app: number[] = [];
      const floor: number[] = [];
      for (let i = 0; i < 5; i++) {
        app.push(await timeToInteractive(`${site.url}/sign-in`));
        floor.push(await timeToInteractive(`${site.url}/floor.html`));
      }
      return {
        "dashboard.initial_js.sent_kb": figure(
          initial,
          "KiB",
          "bytes a browser receives (brotli, as served) for the JS index.html loads (react, router, query, tRPC client, shell); baseline: all of the dashboard's JS incl. lazy routes and the widget/three.js preview chunks",
          all,
        ),
        "dashboard.tti.ms": figure(
          median(app),
          "ms",
          "headless Chromium, localhost, cold cache: navigation start to the sign-in form rendered with handlers, median of 5; baseline: a static HTML form",
          median(floor),
        ),
      };
    } finally {
      await browser.close();
      await site.close();
      await rm(dist, { recursive: true, force: true });
    }
  },
};

export default suite;
