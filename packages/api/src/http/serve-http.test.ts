import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHttp } from "./serve-http";

/** Writes `head` and then `body` on one raw connection; resolves with what the server sent before it closed or after `waitMs`. */
function exchange(port: number, parts: string[], waitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let closed = false;
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
    });
    socket.on("connect", async () => {
      for (const part of parts) {
        socket.write(part);
        await new Promise((r) => setTimeout(r, 50));
      }
      setTimeout(() => {
        socket.destroy();
        resolve({ text, closed });
      }, waitMs);
    });
  });
}

describe("serveHttp", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const app = new Hono();
    app.use("*", bodyLimit({ maxSize: 1_000, onError: (c) => c.text("too large", 413) }));
    app.post("/echo", async (c) => c.text(await c.req.text()));
    app.options("/echo", (c) => c.body(null, 204));
    server = await serveHttp({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers an oversized body with Connection: close and ends the connection, instead of dropping a kept-alive one later", async () => {
    const head =
      "POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n";
    // The client keeps sending slowly: the server answers 413 before the body has arrived.
    const { text, closed } = await exchange(port, [head, "a".repeat(5_000), "a".repeat(5_000)], 200);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(closed).toBe(true);
  });

  it("keeps the connection of complete requests alive, with or without a body", async () => {
    const preflight = "OPTIONS /echo HTTP/1.1\r\nhost: x\r\n\r\n";
    const post =
      "POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello";
    const { text, closed } = await exchange(port, [preflight, post], 200);
    expect(text).toMatch(/^HTTP\/1\.1 204/);
    expect(text).toMatch(/HTTP\/1\.1 200[\s\S]*hello$/);
    expect(text.toLowerCase()).not.toContain("connection: close");
    expect(closed).toBe(false);
  });
});
