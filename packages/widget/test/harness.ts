import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";

// Shared by the browser tests and the bench: build the real bundle, serve it with a strict CSP,
// drive Debian's headless Chromium. Each test file starts its own servers on random ports.

const packageDir = path.resolve(import.meta.dirname, "..");

export const strictCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss: http: https:",
].join("; ");

/** Builds dist/avatar-chat.js and its chunks into `outDir`, by default a fresh temporary directory. */
export async function buildWidget(
  options: { minify?: boolean; outDir?: string } = {},
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = options.outDir ?? (await mkdtemp(path.join(tmpdir(), "avatar-chat-widget-")));
  await build({
    root: packageDir,
    configFile: path.join(packageDir, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir: dir, emptyOutDir: true, minify: options.minify === false ? false : "esbuild" },
  });
  // A given outDir (the package's own dist) stays; only a temporary one is removed.
  return {
    dir,
    remove: () => (options.outDir ? Promise.resolve() : rm(dir, { recursive: true, force: true })),
  };
}

/** The smallest useful three.js program (renderer, scene, one lit mesh), built like the widget: the bench's size floor. */
export async function buildThreeFloor(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "avatar-chat-three-floor-"));
  const entry = path.join(dir, "entry.js");
  await writeFile(
    entry,
    `import { WebGLRenderer, Scene, PerspectiveCamera, Mesh, SphereGeometry, MeshStandardMaterial, HemisphereLight } from "three";
const renderer = new WebGLRenderer();
const scene = new Scene();
scene.add(new HemisphereLight(), new Mesh(new SphereGeometry(), new MeshStandardMaterial()));
renderer.render(scene, new PerspectiveCamera());`,
  );
  await build({
    configFile: false,
    logLevel: "error",
    resolve: { alias: { three: path.join(packageDir, "node_modules/three/build/three.module.js") } },
    build: { outDir: path.join(dir, "out"), minify: "esbuild", rollupOptions: { input: entry } },
  });
  return { dir: path.join(dir, "out"), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Page {
  body: string;
  type?: string;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `pages` by path and everything else from `dir`, every response under `csp`. */
export async function serveStatic(options: {
  dir: string;
  pages: Record<string, Page>;
  csp?: string;
  extra?: (request: IncomingMessage, response: ServerResponse) => boolean;
}): Promise<StaticServer> {
  const server = createServer(async (request, response) => {
    response.setHeader("content-security-policy", options.csp ?? strictCsp);
    response.setHeader("access-control-allow-origin", "*");
    if (options.extra?.(request, response)) return;
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const page = options.pages[pathname];
    if (page) {
      response.setHeader("content-type", page.type ?? "text/html; charset=utf-8");
      response.end(page.body);
      return;
    }
    const file = path.join(options.dir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(options.dir)) {
      response.statusCode = 403;
      response.end();
      return;
    }
    try {
      const body = await readFile(file);
      response.setHeader(
        "content-type",
        file.endsWith(".js") ? "text/javascript" : "application/octet-stream",
      );
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // WebGL without a GPU: ANGLE on SwiftShader (software).
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...extraArgs],
  });
}

/** A page that loads the loader script like a tenant's site would, with a hostile CSS reset. */
export function embedPage(
  body: string,
  options: { hostileCss?: boolean; lang?: string; scriptSrc?: string } = {},
): Page {
  return {
    body: `<!doctype html>
<html lang="${options.lang ?? "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>avatar-chat test page</title>
${options.hostileCss === false ? "" : '<link rel="stylesheet" href="/hostile.css">'}
<script type="module" src="${options.scriptSrc ?? "/avatar-chat.js"}"></script>
</head>
<body>
${body}
</body>
</html>`,
  };
}

/** The kind of global reset some sites ship: it must not leak into the widget's shadow DOM. */
export const hostileCss: Page = {
  type: "text/css",
  body: `
* { box-sizing: content-box !important; font: 31px/3 "Comic Sans MS", serif !important; color: #f0f !important;
    letter-spacing: 4px !important; text-transform: uppercase !important; margin: 9px !important; }
button, textarea, div, section, canvas, svg { display: inline !important; background: yellow !important;
    border: 5px dashed red !important; visibility: visible !important; }
html, body { overflow: hidden !important; }
`,
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
