import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHashedAsset, widgetFiles } from "./widget-files";

describe("widget files", () => {
  let dir: string;
  let app: Hono;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "widget-dist-"));
    await writeFile(path.join(dir, "avatar-chat.js"), "export {};");
    await writeFile(path.join(dir, "scene-Bx3kq91z.js"), "export const scene = 1;");
    await writeFile(path.join(dir, "notes.txt"), "no type");
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
