import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import {
  buildThreeFloor,
  buildWidget,
  embedPage,
  launchChromium,
  serveStatic,
} from "../../packages/widget/test/harness.ts";
import { type Figures, figure, type Suite } from "../figures.ts";
import { sentKb } from "../sent-size.ts";

// Bytes a browser receives for <avatar-chat> (the brotli files the build wrote, as /widget/* sends
// them) and the time from loading its script to the first avatar frame.

/** The three.js floor is built without the widget's config: compressed here the same way. */
const br = (buffer: Buffer) =>
  brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } })
    .length / 1024;

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".js"))
    .map((e) => path.join(e.parentPath, e.name));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const suite: Suite = {
  name: "widget",
  measures: ["packages/widget", "bench/suites/widget.ts"],
  async run(): Promise<Figures> {
    const bundle = await buildWidget();
    try {
      const sizes = new Map<string, number>();
      for (const file of await files(bundle.dir))
        sizes.set(path.relative(bundle.dir, file), await sentKb(file));
      const loader = sizes.get("avatar-chat.js") ?? Number.NaN;
      const total = [...sizes.values()].reduce((a, b) => a + b, 0);
      // gzip -9, as the build writes it beside each script for browsers without brotli.
      let gzip = 0;
      let voice = 0;
      for (const file of sizes.keys()) {
        const kb = (await stat(path.join(bundle.dir, `${file}.gz`))).size / 1024;
        gzip += kb;
        if (path.basename(file).startsWith("player-")) voice += kb;
      }
      const floor = await buildThreeFloor();
      let three = 0;
      for (const file of await files(floor.dir)) three += br(await readFile(file));
      await floor.remove();

      const server = await serveStatic({
        dir: bundle.dir,
        pages: {
          "/3d.html": embedPage(`<avatar-chat preview open name="Ava"></avatar-chat>`, { hostileCss: false }),
          "/2d.html": embedPage(`<avatar-chat preview open avatar="2d" name="Ava"></avatar-chat>`, {
            hostileCss: false,
          }),
          "/favicon.ico": { body: "", type: "image/x-icon" },
        },
      });
      const browser = await launchChromium();
      const firstFrame = async (page: string) => {
        const runs: number[] = [];
        for (let i = 0; i < 5; i++) {
          const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
          const tab = await context.newPage();
          await tab.goto(`${server.url}${page}`);
          await tab.waitForFunction(
            () => performance.getEntriesByName("avatar-chat:first-frame").length > 0,
            null,
            {
              timeout: 60_000,
            },
          );
          runs.push(
            await tab.evaluate(() => {
              const script = performance
                .getEntriesByType("resource")
                .find((entry) => entry.name.endsWith("/avatar-chat.js"))!;
              return performance.getEntriesByName("avatar-chat:first-frame")[0]!.startTime - script.startTime;
            }),
          );
          await context.close();
        }
        return median(runs);
      };
      let threeD: number;
      let twoD: number;
      try {
        threeD = await firstFrame("/3d.html");
        twoD = await firstFrame("/2d.html");
      } finally {
        await browser.close();
        await server.close();
      }
      return {
        "widget.loader.sent_kb": figure(
          loader,
          "KB",
          "bytes a browser receives for dist/avatar-chat.js (brotli, as served; target < 15 KB)",
        ),
        "widget.total.sent_kb": figure(
          total,
          "KB",
          "bytes a browser receives for all widget JS incl. three.js and the GLB/VRM loader chunk (brotli, as served; target < 250 KB); baseline: a minimal three.js program (renderer + one lit mesh), brotli",
          three,
        ),
        "widget.total.gz_kb": figure(
          gzip,
          "KB",
          "all widget JS (loader, panel, three.js scene, GLB/VRM loader, voice player) as gzip -9 sends it (target < 250 KB)",
        ),
        "widget.voice.gz_kb": figure(
          voice,
          "KB",
          "the server voice's player (chunks/player-*.js, gzip -9): fetched only when a visitor turns voice on (a dynamic import from the panel chunk)",
        ),
        "widget.first_frame.ms": figure(
          threeD,
          "ms",
          "script load → first 3D avatar frame, headless Chromium + SwiftShader on localhost, median of 5; baseline: the 2D avatar",
          twoD,
        ),
      };
    } finally {
      await bundle.remove();
    }
  },
};

export default suite;
