import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

/**
 * Serves the dashboard's static build with a fallback to index.html for client-side routes.
 * Hashed assets are immutable; index.html is revalidated so a deploy takes effect at once.
 */
export function serveDashboard(app: Hono, distDir: string): boolean {
  const indexFile = path.join(distDir, "index.html");
  if (!existsSync(indexFile)) return false;
  const root = path.relative(process.cwd(), distDir) || ".";
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.ok) c.res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
  });
  app.use("/*", serveStatic({ root }));
  const index = readFileSync(indexFile, "utf8");
  app.get("*", (c) => c.html(index, 200, { "Cache-Control": "no-cache" }));
  return true;
}
