import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { securityHeaders } from "@avatar-chat/api/process";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono, MiddlewareHandler } from "hono";

// Vite names what index.html loads `assets/<name>-<hash>.<ext>`: such a file never changes content.
const immutable = "public, max-age=31536000, immutable";

/** Cache headers for a served file: a year for hashed assets, revalidation for everything else. */
const cacheHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.ok) return;
  c.res.headers.set("Cache-Control", c.req.path.startsWith("/assets/") ? immutable : "no-cache");
  // The same URL answers brotli, gzip or plain bytes depending on the request.
  c.res.headers.set("Vary", "Accept-Encoding");
};

/**
 * Serves the dashboard's static build with a fallback to index.html for client-side routes. The build
 * wrote `.br` and `.gz` beside each file (vite-precompress); the one the browser accepts is sent as is.
 */
export function serveDashboard(app: Hono, distDir: string): boolean {
  const indexFile = path.join(distDir, "index.html");
  if (!existsSync(indexFile)) return false;
  const root = path.relative(process.cwd(), distDir) || ".";
  // The api's security headers on every file and client-side route, whatever is mounted ahead of them.
  app.use("/*", securityHeaders(), cacheHeaders, serveStatic({ root, precompressed: true }));
  const index = readFileSync(indexFile, "utf8");
  app.get("*", (c) => c.html(index, 200, { "Cache-Control": "no-cache" }));
  return true;
}
