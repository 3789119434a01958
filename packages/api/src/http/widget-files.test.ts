import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptedEncodings, isHashedAsset, widgetFiles } from "./widget-files";

describe("widget files", () => {
  let dir: string;
  let app: Hono;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "widget-dist-"));
    await writeFile(path.join(dir, "avatar-chat.js"), "export {};");
    await writeFile(path.join(dir, "scene-Bx3kq91z.js"), "export const scene = 1;");
    await writeFile(path.join(dir, "notes.txt"), "no type");
    // What the build writes beside each file (vite-precompress).
    for (const name of ["avatar-chat.js", "scene-Bx3kq91z.js"]) {
      const body = await readFile(path.join(dir, name));
      await writeFile(path.join(dir, `${name}.br`), brotliCompressSync(body));
      await writeFile(path.join(dir, `${name}.gz`), gzipSync(body));
    }
    await writeFile(path.join(os.tmpdir(), "outside.js"), "secret");
    app = new Hono().get("/widget/*", widgetFiles({ dir }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(path.join(os.tmpdir(), "outside.js"), { force: true });
  });

  it("serves the entry script to any site with a short cache", async () => {
    const response = await app.request("/widget/avatar-chat.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300, must-revalidate");
    expect(await response.text()).toBe("export {};");
  });

  it("caches hashed chunks for a year and answers revalidation with 304", async () => {
    const response = await app.request("/widget/scene-Bx3kq91z.js");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = response.headers.get("etag")!;
    const again = await app.request("/widget/scene-Bx3kq91z.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("sends the precompressed file the browser accepts, brotli first, and says so", async () => {
    const asked = (acceptEncoding?: string) =>
      app.request("/widget/scene-Bx3kq91z.js", {
        headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {},
      });
    const br = await asked("gzip, deflate, br, zstd");
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(
      "export const scene = 1;",
    );
    const gz = await asked("gzip");
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe("export const scene = 1;");
    const plain = await asked(undefined);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe("export const scene = 1;");
    for (const response of [br, gz, plain]) {
      expect(response.headers.get("vary")).toBe("Accept-Encoding");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    // Each variant has its own validator, so a cache never revalidates one body against another.
    expect(new Set([br, gz, plain].map((r) => r.headers.get("etag"))).size).toBe(3);
    // The entry script is compressed too and keeps its short, revalidated cache.
    const entry = await app.request("/widget/avatar-chat.js", { headers: { "accept-encoding": "br" } });
    expect(entry.headers.get("content-encoding")).toBe("br");
    expect(entry.headers.get("cache-control")).toBe("public, max-age=300, must-revalidate");
  });

  it("reads Accept-Encoding with its weights", () => {
    expect([...acceptedEncodings("gzip, deflate, br")]).toEqual(["gzip", "deflate", "br"]);
    expect([...acceptedEncodings("br;q=0, gzip;q=0.5")]).toEqual(["gzip"]);
    expect([...acceptedEncodings("*")]).toEqual(["br", "gzip"]);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
  });

  it("refuses unknown types, missing files and paths outside the folder", async () => {
    expect((await app.request("/widget/notes.txt")).status).toBe(404);
    expect((await app.request("/widget/missing.js")).status).toBe(404);
    expect((await app.request("/widget/..%2Foutside.js")).status).toBe(404);
    expect((await app.request("/widget/%2E%2E/outside.js")).status).toBe(404);
    const noDir = new Hono().get("/widget/*", widgetFiles({ dir: undefined }));
    expect((await noDir.request("/widget/avatar-chat.js")).status).toBe(404);
  });

  it("tells hashed chunk names from the entry", () => {
    expect(isHashedAsset("scene-Bx3kq91z.js")).toBe(true);
    expect(isHashedAsset("avatar-chat.js")).toBe(false);
    expect(isHashedAsset("index.css")).toBe(false);
  });
});
