import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";

const dashboardRoot = path.resolve(import.meta.dirname, "..");

/** Builds the dashboard like production (`vite build`) into a temporary folder; returns that folder. */
export async function buildDashboard(): Promise<string> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), "dashboard-dist-"));
  await build({ root: dashboardRoot, logLevel: "error", build: { outDir, emptyOutDir: true } });
  return outDir;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

export const screenshotDir = path.resolve(dashboardRoot, "../../docs/screenshots");
