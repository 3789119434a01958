import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

const proxied = ["/trpc", "/realtime", "/widget", "/avatars"];

export interface StaticServer {
  url: string;
  origin: string;
  /** Where `/trpc`, `/realtime`, `/widget` and `/avatars` go; set once the api is up. */
  setApi(url: string): void;
  close(): Promise<void>;
}

/**
 * The built dashboard as the platform serves it: files from `dist`, index.html for client routes, and
 * the api paths proxied so the browser sees one origin (cookies, Origin check) — like the Vite dev proxy.
 */
export async function startStaticServer(distDir: string): Promise<StaticServer> {
  let api: URL | null = null;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://local");
    if (api && proxied.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) {
      const upstream = http.request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file = path.join(distDir, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ""));
    const body = await readFile(file).catch(() => null);
    if (body && path.extname(file)) {
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
      res.end(body);
      return;
    }
    res.writeHead(200, { "content-type": types[".html"] });
    res.end(await readFile(path.join(distDir, "index.html")));
  });
  // WebSocket upgrades (realtime) are piped as raw sockets to the api.
  server.on("upgrade", (req, socket, head) => {
    if (!api) return socket.destroy();
    const target = net.connect(Number(api.port), api.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      target.write(`${lines.join("\r\n")}\r\n\r\n`);
      target.write(head);
      socket.pipe(target).pipe(socket);
    });
    target.on("error", () => socket.destroy());
    socket.on("error", () => target.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    origin: url,
    setApi(apiUrl) {
      api = new URL(apiUrl);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
