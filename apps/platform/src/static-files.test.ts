import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveDashboard } from "./static-files";

describe("serveDashboard", () => {
  let dist: string;
  let app: Hono;
  const script = `export const app = "${"dashboard ".repeat(200)}";`;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), "dashboard-dist-"));
    await mkdir(path.join(dist, "assets"));
    const files: Record<string, string> = {
      "index.html": `<!doctype html><script type="module" src="/assets/index-Ab12Cd34.js"></script>`,
      "assets/index-Ab12Cd34.js": script,
    };
    // What the build writes (vite-precompress): each file and its .br and .gz.
    for (const [name, body] of Object.entries(files)) {
      await writeFile(path.join(dist, name), body);
      await writeFile(path.join(dist, `${name}.br`), brotliCompressSync(body));
      await writeFile(path.join(dist, `${name}.gz`), gzipSync(body));
    }
    await writeFile(path.join(dist, "favicon.svg"), "<svg/>");
    app = new Hono();
    expect(serveDashboard(app, dist)).toBe(true);
  });
  afterAll(() => rm(dist, { recursive: true, force: true }));

  const asked = (url: string, acceptEncoding?: string) =>
    app.request(url, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} });

  it("sends a hashed asset precompressed as the browser accepts it, cached for a year", async () => {
    const br = await asked("/assets/index-Ab12Cd34.js", "gzip, deflate, br, zstd");
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(script);
    const gz = await asked("/assets/index-Ab12Cd34.js", "gzip, deflate");
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(script);
    const plain = await asked("/assets/index-Ab12Cd34.js");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(script);
    for (const response of [br, gz, plain]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(response.headers.get("vary")).toBe("Accept-Encoding");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
  });

  it("revalidates index.html and un-hashed files, compressed or not", async () => {
    const index = await asked("/", "br");
    expect(index.headers.get("content-encoding")).toBe("br");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const favicon = await asked("/favicon.svg", "br");
    expect(favicon.headers.get("cache-control")).toBe("no-cache");
    const route = await asked("/inbox", "br");
    expect(route.headers.get("cache-control")).toBe("no-cache");
    expect(await route.text()).toContain("/assets/index-Ab12Cd34.js");
  });
});
