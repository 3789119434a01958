import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedS3 } from "./embedded-s3";
import { createStorage } from "./storage";

// In a container network the platform reaches the store as http://s3:8333, a name no browser resolves:
// upload URLs must be signed for the address browsers use.
describe("upload URLs for a public object-store address", () => {
  let dir: string;
  let s3: Awaited<ReturnType<typeof startEmbeddedS3>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "storage-public-"));
    s3 = await startEmbeddedS3({
      directory: dir,
      bucket: "test",
      allowedOrigins: [],
      secretAccessKey: randomBytes(16).toString("hex"),
    });
  });
  afterAll(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("presigns for S3_PUBLIC_ENDPOINT, and the store accepts the upload there", async () => {
    const internal = new URL(s3.config.endpoint);
    const publicEndpoint = `http://localhost:${internal.port}`;
    const storage = createStorage({ ...s3.config, publicEndpoint });
    await storage.ensureBucket();
    const body = "Delivery to Norway takes 3 working days.";
    const url = await storage.presignPut("tenants/t/knowledge/k", {
      contentType: "text/plain",
      contentLength: Buffer.byteLength(body),
    });
    expect(new URL(url).host).toBe(`localhost:${internal.port}`);
    const put = await fetch(url, { method: "PUT", headers: { "content-type": "text/plain" }, body });
    expect(put.status).toBe(200);
    expect(Buffer.from(await storage.get("tenants/t/knowledge/k")).toString()).toBe(body);
  });

  it("presigns for the store's own address when no public one is set", async () => {
    const storage = createStorage(s3.config);
    const url = await storage.presignPut("tenants/t/knowledge/j", {
      contentType: "text/plain",
      contentLength: 1,
    });
    expect(new URL(url).origin).toBe(new URL(s3.config.endpoint).origin);
  });
});
