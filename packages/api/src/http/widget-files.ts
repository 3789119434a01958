import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { MiddlewareHandler } from "hono";
import { decodedPath } from "./decoded-path";

export interface WidgetFilesOptions {
  /** The widget's build output (`packages/widget/dist`); without it every request is a 404. */
  dir: string | undefined;
  /** Cache lifetime of files without a content hash in their name (the entry script). Default 300 s. */
  entryMaxAgeSeconds?: number;
}

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".glb": "model/gltf-binary",
  ".vrm": "model/gltf-binary",
  ".mp3": "audio/mpeg",
};

/** Vite names chunks `name-<hash>.js`: such a name never changes content, so it may be cached for a year. */
export function isHashedAsset(fileName: string): boolean {
  return /[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(fileName) && !/^avatar-chat\.[a-z]+$/.test(fileName);
}

/** Precompressed variants the build writes beside each file (`.br`, `.gz`), best first. */
const encodings = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

/** The encodings an Accept-Encoding header allows (`q=0` refuses one; `*` allows any). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (!name || (q && Number(q.slice(2)) === 0)) continue;
    if (name === "*") for (const encoding of encodings) accepted.add(encoding.name);
    else accepted.add(name);
  }
  return accepted;
}

/**
 * Serves the built `<avatar-chat>` widget under `/widget/*`. Any site may load it (CORS `*`: module
 * scripts are fetched in CORS mode); hashed chunks are immutable, the entry script is revalidated often.
 */
export function widgetFiles(options: WidgetFilesOptions): MiddlewareHandler {
  const entryMaxAge = options.entryMaxAgeSeconds ?? 300;
  return async (c) => {
    const root = options.dir ? path.resolve(options.dir) : null;
    const relative = decodedPath(c.req.path.replace(/^\/widget\/?/, ""));
    if (relative === null) return c.text("Not found", 404);
    const file = root ? path.resolve(root, relative) : null;
    const type = contentTypes[path.extname(relative).toLowerCase()];
    // Resolving and then checking the prefix refuses `..` and absolute paths alike.
    if (!root || !file || !file.startsWith(root + path.sep) || !type) return c.text("Not found", 404);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return c.text("Not found", 404);
    // The smallest variant the browser takes: the build wrote them (no compression per request).
    const accepted = acceptedEncodings(c.req.header("accept-encoding"));
    let served = { file, info, encoding: null as string | null };
    for (const encoding of encodings) {
      if (!accepted.has(encoding.name)) continue;
      const variant = await stat(file + encoding.suffix).catch(() => null);
      if (variant?.isFile()) {
        served = { file: file + encoding.suffix, info: variant, encoding: encoding.name };
        break;
      }
    }
    const etag = `"${served.info.size.toString(36)}-${Math.floor(served.info.mtimeMs).toString(36)}"`;
    const headers: Record<string, string> = {
      "content-type": type,
      "access-control-allow-origin": "*",
      "cache-control": isHashedAsset(path.basename(file))
        ? "public, max-age=31536000, immutable"
        : `public, max-age=${entryMaxAge}, must-revalidate`,
      vary: "Accept-Encoding",
      etag,
      ...(served.encoding ? { "content-encoding": served.encoding } : {}),
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    const body = await readFile(served.file);
    return c.body(body, 200, headers);
  };
}
