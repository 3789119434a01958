import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createClient } from "@avatar-chat/api/client";
import { createBrowserClient } from "@avatar-chat/api/testing";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askOnce } from "../../../examples/integrator";
import { readPlatformEnv } from "./config";
import { type RunningPlatform, startPlatform } from "./start-platform";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// The README's start command in embedded mode: PGlite, the in-process S3 server, the local Redis,
// and api + worker + realtime in one process, driven the way a new user and an integrator would.
describe("startPlatform (embedded)", () => {
  let platform: RunningPlatform;
  let dataDir: string;
  let url: string;
  const prefix = `tp${randomBytes(4).toString("hex")}:`;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "platform-"));
    const port = await freePort();
    url = `http://localhost:${port}`;
    platform = await startPlatform(
      readPlatformEnv({
        DATA_DIR: dataDir,
        API_PORT: String(port),
        PUBLIC_URL: url,
        REDIS_PREFIX: prefix,
        LOG_LEVEL: "error",
      }),
    );
  });

  afterAll(async () => {
    await platform?.close();
    await deleteKeysAt("redis://127.0.0.1:6379", prefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A new user and workspace, signed up the way the dashboard does it. */
  async function signedUp(email: string, workspaceName: string) {
    const browser = createBrowserClient({ url, origin: url });
    await browser.auth.signUp.mutate({
      email,
      password: "a long enough password",
      name: "Owner",
      workspaceName,
    });
    return browser;
  }

  it("reports embedded services and answers health checks", async () => {
    expect(platform.banner.join("\n")).toMatch(/embedded PGlite/);
    expect(platform.banner.join("\n")).toMatch(/embedded S3/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it("takes a new tenant from sign-up to a cited answer from its knowledge", async () => {
    const browser = await signedUp("owner@example.test", "Embedded Shop");
    const { key } = await browser.apiKey.create.mutate({ name: "smoke", scopes: ["read", "write", "chat"] });
    const answer = await askOnce(
      createClient({ url, apiKey: key }),
      "How long does delivery to Norway take?",
    );
    expect(answer).toMatch(/3 working days/);
  });

  it("uploads a knowledge file from the dashboard to the embedded store and indexes it", async () => {
    const browser = await signedUp("uploader@example.test", "Uploading Shop");
    const bot = await browser.chatbot.create.mutate({ name: "Files" });
    const body = "# Opening hours\n\nWe open at 9 and close at 6.";
    const upload = await browser.knowledge.createUpload.mutate({
      chatbotId: bot.id,
      name: "hours.md",
      contentType: "text/markdown",
      sizeBytes: new TextEncoder().encode(body).byteLength,
    });
    // What the dashboard's XMLHttpRequest does: a CORS preflight from its origin, then the PUT.
    const preflight = await fetch(upload.uploadUrl, {
      method: "OPTIONS",
      headers: {
        origin: url,
        "access-control-request-method": "PUT",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(url);
    const put = await fetch(upload.uploadUrl, {
      method: "PUT",
      headers: { ...upload.headers, origin: url },
      body,
    });
    expect(put.status).toBe(200);
    expect(put.headers.get("access-control-allow-origin")).toBe(url);
    const unsigned = await fetch(upload.uploadUrl.split("?")[0]!, { headers: { origin: url } });
    expect(unsigned.status).toBe(403);
    await browser.knowledge.confirmUpload.mutate({ sourceId: upload.source.id });
    let status = "pending";
    while (status === "pending" || status === "indexing") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [source] = (await browser.knowledge.list.query({ chatbotId: bot.id })).items;
      status = source!.status;
    }
    expect(status).toBe("ready");
  });

  it("closes an API key's realtime socket as soon as the key is revoked", async () => {
    const browser = await signedUp("revoker@example.test", "Revoking Shop");
    const { id, key } = await browser.apiKey.create.mutate({ name: "live", scopes: ["read"] });
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/realtime?token=${key}`);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", reject, { once: true });
    });
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("close", (event) => resolve(event.code), { once: true }),
    );
    await browser.apiKey.revoke.mutate({ keyId: id });
    // Not at the next 5-minute check: the revocation is announced and the socket checked at once.
    expect(await closed).toBe(4001);
  });
});
