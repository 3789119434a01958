import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";

const dashboardRoot = path.resolve(import.meta.dirname, "..");

/** Builds the dashboard like production (`vite build`), by default into a temporary folder; returns the folder. */
export async function buildDashboard(target?: string): Promise<string> {
  const outDir = target ?? (await mkdtemp(path.join(os.tmpdir(), "dashboard-dist-")));
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

export const dashboardDist = path.join(dashboardRoot, "dist");
export const widgetRoot = path.resolve(dashboardRoot, "../../packages/widget");

/** The widget's script-tag bundle (packages/widget/dist), which the platform serves under /widget/. */
export async function buildWidgetBundle(): Promise<void> {
  await build({ root: widgetRoot, configFile: path.join(widgetRoot, "vite.config.ts"), logLevel: "error" });
}

export const screenshotDir = path.resolve(dashboardRoot, "../../docs/screenshots");
