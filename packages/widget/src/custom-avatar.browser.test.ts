import path from "node:path";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TALKING_HEAD_MORPHS, visemeGlb } from "../test/glb";
import { embedPage, type Page, type StaticServer } from "../test/harness";
import { morphUploads, recordMorphUploads } from "../test/morph-probe";
import {
  createAnsweringChatbot,
  type RunningPlatform,
  signUpOwner,
  startEmbeddedSite,
  VOICE_KNOWLEDGE,
} from "../test/platform";
import { askAndListen, openVoiced, recorded } from "../test/voice-probe";

// A tenant's own avatar, end to end: a GLB with Oculus viseme morphs made in the test, uploaded through the
// dashboard in Chromium (avatar.createUpload, the presigned PUT, avatar.confirm, saved on the chatbot), then
// the widget on the tenant's site speaking with the server's voice, its mouth being that model's own morphs.

const dashboardRoot = path.resolve(import.meta.dirname, "../../../apps/dashboard");

let platform: RunningPlatform;
let site: StaticServer;
let browser: Browser;
let pages: Record<string, Page>;
let close: () => Promise<void>;
let cookie: string;

beforeAll(async () => {
  [{ platform, site, browser, pages, close }] = await Promise.all([
    startEmbeddedSite({
      imageSources: "'self' blob: data:",
      chromiumArgs: ["--autoplay-policy=no-user-gesture-required"],
    }),
    // The platform serves the dashboard's build from apps/dashboard/dist.
    build({ root: dashboardRoot, logLevel: "error", build: { emptyOutDir: true } }),
  ]);
  cookie = await signUpOwner(platform, "Avatar Test");
  const chatbot = await createAnsweringChatbot(platform, cookie, {
    allowedOrigin: site.url,
    knowledge: VOICE_KNOWLEDGE,
  });
  pages["/"] = embedPage(`<avatar-chat bot="${chatbot.publicKey}" open></avatar-chat>`, {
    scriptSrc: `${platform.url}/widget/avatar-chat.js`,
    hostileCss: false,
  });
}, 240_000);

afterAll(() => close?.());

describe("a tenant's own avatar", () => {
  it("is uploaded through the dashboard and speaks in the widget with its own viseme morphs", async () => {
    const glb = await visemeGlb(browser);
    const tenant = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await tenant.addCookies(
      cookie.split("; ").map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: platform.url };
      }),
    );
    const dashboard = await tenant.newPage();
    // The dashboard's avatar route loads the widget and three.js for its preview: slow on a busy machine.
    dashboard.setDefaultTimeout(90_000);
    const problems: string[] = [];
    dashboard.on("pageerror", (error) => problems.push(`dashboard: ${error.message}`));
    await dashboard.goto(`${platform.url}/avatar`);
    await dashboard.getByRole("heading", { name: "Upload your own" }).waitFor();
    await dashboard
      .locator('input[type="file"]')
      .setInputFiles({ name: "talking-head.glb", mimeType: "model/gltf-binary", buffer: glb });
    const choice = dashboard.getByRole("radio", { name: /talking-head/ });
    await choice.waitFor();
    expect(await choice.isChecked()).toBe(true);
    await dashboard.getByRole("button", { name: "Save avatar and voice" }).click();
    await dashboard.getByText("Saved.").waitFor();
    await tenant.close();

    const visitor = await (await browser.newContext()).newPage();
    visitor.on("pageerror", (error) => problems.push(`widget: ${error.message}`));
    await visitor.addInitScript(recordMorphUploads, TALKING_HEAD_MORPHS.length);
    const widget = await openVoiced(visitor, `${site.url}/`);
    await expect.poll(() => widget.getAttribute("data-avatar-model"), { timeout: 60_000 }).toBe("glb/oculus");
    await morphUploads(visitor);
    await askAndListen(visitor, "When does the store open on Saturdays?");
    const uploads = await morphUploads(visitor);
    const { played } = await recorded(visitor);

    // While a sentence is heard, the model's own viseme morphs (not its blinks) open and change shape.
    const viseme = (values: number[]) => values.slice(0, -2);
    const heard = uploads.filter(([t]) =>
      played.some((p) => t >= (p.heardAt ?? p.at) && t <= (p.heardAt ?? p.at) + p.duration),
    );
    const moved = heard.filter(([, values]) => viseme(values).some((v) => v > 0.1));
    const shapes = new Set(
      moved.map(([, values]) => TALKING_HEAD_MORPHS[values.indexOf(Math.max(...viseme(values)))]),
    );
    console.log(
      `custom avatar: ${played.length} sentences, ${heard.length} morph uploads while heard, ${moved.length} with the mouth open, shapes ${[...shapes].join(" ")}`,
    );
    expect(moved.length).toBeGreaterThan(5);
    expect(new Set(moved.map(([, values]) => values.join())).size).toBeGreaterThan(5);
    expect(shapes.size).toBeGreaterThanOrEqual(2);
    // Once the voice is idle the mouth rests.
    expect(viseme(uploads.at(-1)![1]).every((v) => v === 0)).toBe(true);
    expect(problems).toEqual([]);
  }, 300_000);
});
