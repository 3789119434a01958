import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, type Storage, type StorageConfig } from "../storage";
import { startEmbeddedS3 } from ".";

// The embedded store must refuse what S3 refuses: every test here is a request a probe sent to the
// embedded server and S3 would have answered with 403.
const dashboard = "http://dashboard.test";
let dir: string;
let s3: Awaited<ReturnType<typeof startEmbeddedS3>>;
let config: StorageConfig;
let storage: Storage;
let client: S3Client;
const keyA = "tenants/a/knowledge/one";
const keyB = "tenants/b/knowledge/two";

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "embedded-s3-"));
  s3 = await startEmbeddedS3({
    directory: dir,
    bucket: "test",
    allowedOrigins: [dashboard],
    secretAccessKey: randomBytes(16).toString("hex"),
  });
  config = s3.config;
  storage = createStorage(config);
  await storage.ensureBucket();
  client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  });
  await storage.put(keyA, "tenant A's secret", "text/plain");
});

afterAll(async () => {
  client.destroy();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

const objectUrl = (key: string) => `${config.endpoint}/${config.bucket}/${key}`;

/** A presigned PUT as the api hands it out: content type and length signed. */
function presignPut(key: string, contentType: string, contentLength: number, options = {}) {
  return getSignedUrl(
    client,
    new PutObjectCommand({
      Bucket: config.bucket,
      Key: key,
      ContentType: contentType,
      ContentLength: contentLength,
    }),
    { expiresIn: 300, signableHeaders: new Set(["content-type", "content-length"]), ...options },
  );
}

describe("embedded object store: refusals", () => {
  it("refuses unsigned reads, writes and listings, from any origin", async () => {
    const get = await fetch(objectUrl(keyA), { headers: { origin: "https://evil.example" } });
    expect(get.status).toBe(403);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
    expect((await fetch(objectUrl(keyA), { method: "HEAD" })).status).toBe(403);
    const put = await fetch(objectUrl(keyA), { method: "PUT", body: "overwritten" });
    expect(put.status).toBe(403);
    expect((await fetch(objectUrl(keyA), { method: "DELETE" })).status).toBe(403);
    expect((await fetch(`${config.endpoint}/${config.bucket}`)).status).toBe(403);
    expect((await fetch(`${config.endpoint}/${config.bucket}?list-type=2`)).status).toBe(403);
    expect((await fetch(`${config.endpoint}/`)).status).toBe(403);
    expect(new TextDecoder().decode(await storage.get(keyA))).toBe("tenant A's secret");
  });

  it("refuses a wrong signature, a wrong secret and a tampered query", async () => {
    const url = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: "test", Key: keyA })));
    expect((await fetch(url)).status).toBe(200);
    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Signature", "0".repeat(64));
    expect((await fetch(tampered)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    expect((await fetch(longer)).status).toBe(403);
    const stranger = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: "not the secret" },
    });
    await expect(stranger.send(new GetObjectCommand({ Bucket: "test", Key: keyA }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      stranger.send(new PutObjectCommand({ Bucket: "test", Key: keyA, Body: "x" })),
    ).rejects.toThrow();
    stranger.destroy();
    expect(new TextDecoder().decode(await storage.get(keyA))).toBe("tenant A's secret");
  });

  it("refuses a signed write whose body is not the one signed", async () => {
    const swapper = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    });
    // After signing, as a proxy in the middle would: same length, other bytes.
    const swap =
      (next: (args: { request: { body: unknown } }) => Promise<unknown>) =>
      async (args: { request: { body: unknown } }) => {
        args.request.body = "tenant X's forger";
        return next(args);
      };
    swapper.middlewareStack.addRelativeTo(
      swap as unknown as Parameters<typeof swapper.middlewareStack.addRelativeTo>[0],
      {
        relation: "after",
        toMiddleware: "awsAuthMiddleware",
      },
    );
    await expect(
      swapper.send(
        new PutObjectCommand({
          Bucket: "test",
          Key: keyA,
          Body: "tenant A's update",
          ContentType: "text/plain",
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    swapper.destroy();
    expect(new TextDecoder().decode(await storage.get(keyA))).toBe("tenant A's secret");
  });

  it("answers a signed listing with an error, not the bucket's keys", async () => {
    await expect(client.send(new ListObjectsV2Command({ Bucket: "test" }))).rejects.toThrow();
  });

  it("binds a presigned PUT to its key, its method, its content type and its length", async () => {
    const body = "tenant B's file";
    const url = await presignPut(keyB, "text/plain", body.length);
    const headers = { "content-type": "text/plain" };

    const otherKey = url.replace(`/${keyB}?`, `/${keyA}?`);
    expect((await fetch(otherKey, { method: "PUT", headers, body })).status).toBe(403);
    expect((await fetch(url, { method: "PUT", headers: { "content-type": "text/html" }, body })).status).toBe(
      403,
    );
    expect((await fetch(url, { method: "PUT", headers, body: `${body} and much more` })).status).toBe(403);
    expect((await fetch(url, { method: "PUT", body })).status).toBe(403);
    expect((await fetch(url, { method: "GET" })).status).toBe(403);
    expect((await fetch(url, { method: "DELETE" })).status).toBe(403);
    expect(new TextDecoder().decode(await storage.get(keyA))).toBe("tenant A's secret");
    expect(await storage.head(keyB)).toBeNull();

    const put = await fetch(url, { method: "PUT", headers, body });
    expect(put.status).toBe(200);
    expect(put.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await storage.head(keyB)).toEqual({
      size: body.length,
      contentType: "text/plain",
      etag: put.headers.get("etag"),
    });
  });

  it("refuses a copy that is not signed as one: a presigned upload URL cannot be turned into a copy", async () => {
    const target = "tenants/b/knowledge/copy";
    const url = await presignPut(target, "text/plain", 0);
    const copy = { "content-type": "text/plain", "x-amz-copy-source": `test/${keyA}` };
    expect((await fetch(url, { method: "PUT", headers: copy })).status).toBe(403);
    const unsigned = await fetch(objectUrl(target), {
      method: "PUT",
      headers: { "x-amz-copy-source": `test/${keyA}` },
    });
    expect(unsigned.status).toBe(403);
    expect(await storage.head(target)).toBeNull();
  });

  it("refuses an expired presigned URL", async () => {
    const signingDate = new Date(Date.now() - 3_600_000);
    const put = await presignPut(keyB, "text/plain", 3, { signingDate, expiresIn: 60 });
    const response = await fetch(put, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "old",
    });
    expect(response.status).toBe(403);
    const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: "test", Key: keyA }), {
      signingDate,
      expiresIn: 60,
    });
    expect((await fetch(get)).status).toBe(403);
  });

  it("answers CORS for the dashboard's origin only", async () => {
    const preflight = (origin: string) =>
      fetch(objectUrl(keyB), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "PUT",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight(dashboard);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(allowed.headers.get("access-control-allow-methods")).toContain("PUT");
    const foreign = await preflight("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "test", Key: keyA }));
    const fromDashboard = await fetch(url, { headers: { origin: dashboard } });
    expect(fromDashboard.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(fromDashboard.headers.get("access-control-expose-headers")).toMatch(/etag/i);
    const fromElsewhere = await fetch(url, { headers: { origin: "https://evil.example" } });
    expect(fromElsewhere.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("embedded object store: the S3 client", () => {
  it("puts, heads, gets, deletes, and keeps keys that need encoding", async () => {
    const key = "tenants/c/avatars/an odd name+(1)~ü.glb";
    await storage.put(key, new Uint8Array([1, 2, 3]), "model/gltf-binary");
    const head = await storage.head(key);
    expect(head).toMatchObject({ size: 3, contentType: "model/gltf-binary" });
    expect([...(await storage.get(key))]).toEqual([1, 2, 3]);
    await storage.delete(key);
    expect(await storage.head(key)).toBeNull();
    await storage.delete(key); // deleting twice is fine, as on S3
  });

  it("copies an object server-side, bytes and content type, and says when the source is missing", async () => {
    await storage.put("uploads/tenants/c/knowledge/u", "uploaded", "text/markdown");
    const copied = await storage.copy("uploads/tenants/c/knowledge/u", "tenants/c/knowledge/u");
    expect(copied).toEqual(await storage.head("tenants/c/knowledge/u"));
    expect(copied).toMatchObject({ size: 8, contentType: "text/markdown" });
    expect(new TextDecoder().decode(await storage.get("tenants/c/knowledge/u"))).toBe("uploaded");
    // The copy is its own object: a later write to the source does not reach it.
    await storage.put("uploads/tenants/c/knowledge/u", "changed!", "text/markdown");
    expect(new TextDecoder().decode(await storage.get("tenants/c/knowledge/u"))).toBe("uploaded");
    expect(await storage.copy("uploads/tenants/c/knowledge/none", "tenants/c/knowledge/x")).toBe("missing");
    expect(await storage.head("tenants/c/knowledge/x")).toBeNull();
  });

  it("honours If-Match: a read names the version it wants", async () => {
    await storage.put("tenants/c/knowledge/v", "first", "text/plain");
    const first = await storage.head("tenants/c/knowledge/v");
    await storage.put("tenants/c/knowledge/v", "second", "text/plain");
    await expect(
      client.send(
        new GetObjectCommand({ Bucket: "test", Key: "tenants/c/knowledge/v", IfMatch: first!.etag! }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });
});
