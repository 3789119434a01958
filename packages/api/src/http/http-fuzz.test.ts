import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { conversationChannel, tenantChannel } from "@avatar-chat/protocol";
import { silentLogger } from "@avatar-chat/telemetry";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { startEmbeddedS3 } from "../embedded-s3";
import { createStorage, type Storage } from "../storage";
import { createTestPlatform, startVisitorConversation, type TestPlatform } from "../testing";
import { attachTestRealtime } from "../testing-realtime";
import { signedInUser } from "../testing-users";

// The surfaces that are not tRPC procedures, probed as an outside tester would: the api's plain routes and
// tRPC's HTTP edges, the embedded object store, and the realtime socket. Every bad request must get a 4xx
// (never a 5xx, a crash or a hang), and each server must still answer a normal request afterwards.
const shop = "https://shop.example";
const ZERO_ID = "00000000-0000-0000-0000-000000000000";
const unhandled: unknown[] = [];
const noteUnhandled = (reason: unknown) => unhandled.push(reason);

/**
 * Sends raw bytes over TCP (what fetch refuses to send: NUL in a path, a lying Content-Length, a bare header
 * line) and resolves with the status the server answered, or 0 when it hung up without one.
 */
function rawRequest(
  port: number,
  request: string | Buffer,
  options: { hangUp?: boolean } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s to ${String(request).slice(0, 120)}`));
    }, 10_000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), text: answer });
    };
    socket.on("data", (chunk) => {
      answer += chunk;
      // One answer is all we look at: a server that keeps the connection open is not waited for.
      const head = answer.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)/i.exec(answer)?.[1];
      if (head >= 0 && (length === undefined || answer.length - head - 4 >= Number(length))) done();
    });
    socket.on("end", done);
    socket.on("error", done);
    socket.write(request);
    // A client that stops sending mid-body: the server may still answer on the half-closed connection.
    if (options.hangUp) socket.end();
  });
}

const clientError = (status: number) => status >= 400 && status < 500;

beforeAll(() => {
  process.on("unhandledRejection", noteUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", noteUnhandled);
  expect(unhandled.map(String)).toEqual([]);
});

describe("the api's HTTP routes", () => {
  let platform: TestPlatform;
  let port: number;
  let visitor: { token: string; conversationId: string };
  let ownerCookie: string;
  let publicKey: string;
  /** What the api logged as errors: bad input is the caller's fault, never a logged failure. */
  const loggedErrors: string[] = [];
  const consoleError = vi.spyOn(console, "error");

  beforeAll(async () => {
    platform = await createTestPlatform();
    port = Number(new URL(platform.url).port);
    const owner = await signedInUser(platform, "owner@example.com");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Bot", allowedOrigins: [shop] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const { visitorToken, conversationId } = await startVisitorConversation(platform, bot.publicKey, shop);
    visitor = { token: visitorToken, conversationId };
    publicKey = bot.publicKey;
    platform.deps.logger = {
      ...silentLogger,
      error: (first: unknown, message?: string) =>
        loggedErrors.push(`${message}: ${String((first as { err?: unknown }).err ?? first)}`),
    };
    const session = await platform.deps.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", owner.userId)
      .executeTakeFirstOrThrow();
    ownerCookie = `session=${session.id}`;
  }, 120_000);
  afterAll(async () => {
    consoleError.mockRestore();
    await platform?.close();
  });

  async function expectStillServing() {
    expect(loggedErrors).toEqual([]);
    expect(consoleError.mock.calls.map((args) => args.map(String).join(" "))).toEqual([]);
    expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
    const config = encodeURIComponent(JSON.stringify({ publicKey }));
    const query = await fetch(`${platform.url}/trpc/widget.config?input=${config}`);
    expect(query.status).toBe(200);
  }

  it("answers every method on every plain route with a status below 500", { timeout: 30_000 }, async () => {
    const routes = [
      "/healthz",
      "/readyz",
      "/widget/avatar-chat.js",
      `/avatars/${ZERO_ID}.glb`,
      `/voice/${ZERO_ID}`,
      `/voice-input/${ZERO_ID}`,
      "/trpc/auth.me",
      "/trpc/widget.config",
      "/no/such/route",
    ];
    const failures: string[] = [];
    for (const route of routes) {
      for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const response = await fetch(`${platform.url}${route}`, {
          method,
          headers: { origin: "https://evil.test" },
          ...(["GET", "HEAD", "OPTIONS"].includes(method) ? {} : { body: "x" }),
        });
        await response.arrayBuffer();
        if (response.status >= 500) failures.push(`${method} ${route}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
    await expectStillServing();
  });

  it("refuses hostile path parameters with a 4xx", { timeout: 30_000 }, async () => {
    const segments = [
      "%00",
      "a%00b",
      "%ZZ",
      "%C0%AF",
      "%ED%A0%80",
      "..%2F..%2Fetc%2Fpasswd",
      "%2e%2e",
      "%F0%9F%98%80",
      "x".repeat(4000),
      `${ZERO_ID}%00.glb`,
      `${ZERO_ID}.glb%00`,
    ];
    const failures: string[] = [];
    for (const segment of segments) {
      for (const [method, prefix] of [
        ["GET", "/avatars/"],
        ["GET", "/voice/"],
        ["GET", "/widget/"],
        ["POST", "/voice-input/"],
        ["GET", "/trpc/"],
        ["POST", "/trpc/"],
      ] as const) {
        const response = await fetch(`${platform.url}${prefix}${segment}`, {
          method,
          headers: { authorization: `Bearer ${visitor.token}`, "content-type": "audio/webm" },
          ...(method === "POST" ? { body: "x" } : {}),
        });
        await response.arrayBuffer();
        if (!clientError(response.status))
          failures.push(`${method} ${prefix}${segment.slice(0, 40)}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
    await expectStillServing();
  });

  it("refuses malformed tRPC requests with a 4xx and a JSON error", { timeout: 30_000 }, async () => {
    const huge = encodeURIComponent(JSON.stringify({ publicKey: "x".repeat(200_000) }));
    const requests: Array<[string, string, RequestInit?]> = [
      ["huge input=", `/trpc/widget.config?input=${huge}`],
      ["input not JSON", "/trpc/auth.me?input=%7B"],
      ["input bad escape", "/trpc/auth.me?input=%ZZ"],
      ["batch with input not JSON", "/trpc/auth.me,auth.me?batch=1&input=nope"],
      ["batch with array input", "/trpc/auth.me,auth.me?batch=1&input=%5B1%2C2%5D"],
      ["batch with empty call", "/trpc/auth.me,,?batch=1"],
      ["batch=yes", "/trpc/auth.me?batch=yes"],
      ["repeated input", "/trpc/auth.me?input=1&input=2"],
      [
        "mutation, invalid JSON",
        "/trpc/auth.signIn",
        { method: "POST", body: "{", headers: { "content-type": "application/json" } },
      ],
      [
        "mutation, text/plain",
        "/trpc/auth.signIn",
        { method: "POST", body: "hello", headers: { "content-type": "text/plain" } },
      ],
      [
        "mutation, multipart",
        "/trpc/auth.signIn",
        { method: "POST", body: "--x--", headers: { "content-type": "multipart/form-data; boundary=x" } },
      ],
      ["mutation as GET", "/trpc/auth.signIn?input=%7B%7D"],
      ["query as POST", "/trpc/auth.me", { method: "POST", body: "{}" }],
      [
        "garbage cookie and origin",
        "/trpc/auth.me",
        { headers: { cookie: "session=%ZZ; session=; =;;", origin: "null" } },
      ],
      ["garbage bearer", "/trpc/auth.me", { headers: { authorization: "Bearer \u00ff\u00fe" } }],
      ["bearer without token", "/trpc/auth.me", { headers: { authorization: "Bearer" } }],
      [
        "batch of mutations, body not an object",
        "/trpc/auth.signIn,auth.signIn?batch=1",
        { method: "POST", body: "[1,2]", headers: { "content-type": "application/json" } },
      ],
    ];
    const failures: string[] = [];
    for (const [name, route, init] of requests) {
      const response = await fetch(`${platform.url}${route}`, init);
      const text = await response.text();
      // 431: Node's parser refuses the request line before any code of ours runs, without a body.
      // 207: tRPC's answer to a batch whose calls failed differently, each with its own 4xx error.
      if (!clientError(response.status) && response.status !== 207)
        failures.push(`${name}: ${response.status} ${text.slice(0, 200)}`);
      else if (response.status !== 431 && !/"message"/.test(text))
        failures.push(`${name}: ${response.status} without an error message`);
    }
    expect(failures).toEqual([]);
    await expectStillServing();
  });

  it("refuses bodies over the limit, whether announced or chunked", { timeout: 30_000 }, async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const chunked = (route: string, type: string) =>
      fetch(`${platform.url}${route}`, {
        method: "POST",
        headers: { "content-type": type, authorization: `Bearer ${visitor.token}` },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < big.length; i += 65_536) controller.enqueue(big.subarray(i, i + 65_536));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
    for (const [route, type] of [
      ["/trpc/auth.signIn", "application/json"],
      [`/voice-input/${visitor.conversationId}`, "audio/webm"],
    ] as const) {
      const response = await chunked(route, type).catch((error: unknown) => error);
      // The server may hang up mid-body once it has answered 413; fetch then reports the reset.
      if (response instanceof Response) {
        expect(response.status, route).toBe(413);
        expect(await response.text()).toMatch(/"message"/);
      }
    }
    for (const route of ["/trpc/auth.signIn", `/voice-input/${visitor.conversationId}`]) {
      const { status } = await rawRequest(
        port,
        `POST ${route} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${visitor.token}\r\nContent-Type: audio/webm\r\nContent-Length: 99999999999999\r\n\r\nabc`,
      );
      expect(status, `${route} with an absurd Content-Length`).toBe(413);
    }
    await expectStillServing();
  });

  it("refuses a recording that is not one, on its own conversation", { timeout: 30_000 }, async () => {
    const failures: string[] = [];
    const cases: Array<[string, Record<string, string>, string | Uint8Array | undefined]> = [
      ["no credential", { "content-type": "audio/webm" }, "x"],
      ["garbage token", { authorization: "Bearer vt1.%ZZ.x", "content-type": "audio/webm" }, "x"],
      ["a session cookie from a foreign origin", { cookie: ownerCookie, origin: "https://evil.test" }, "x"],
      ["empty body", { authorization: `Bearer ${visitor.token}`, "content-type": "audio/webm" }, undefined],
      ["no content type", { authorization: `Bearer ${visitor.token}` }, "x"],
      ["JSON body", { authorization: `Bearer ${visitor.token}`, "content-type": "application/json" }, "{}"],
      [
        "random bytes called audio",
        { authorization: `Bearer ${visitor.token}`, "content-type": "audio/webm" },
        randomBytes(2048),
      ],
      [
        "content type with parameters",
        { authorization: `Bearer ${visitor.token}`, "content-type": "audio/webm;;;codecs=\u00ff" },
        randomBytes(64),
      ],
    ];
    for (const [name, headers, body] of cases) {
      const response = await fetch(`${platform.url}/voice-input/${visitor.conversationId}`, {
        method: "POST",
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      if (!clientError(response.status)) failures.push(`${name}: ${response.status} ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    await expectStillServing();
  });

  it("answers malformed HTTP on the wire with a 4xx", { timeout: 30_000 }, async () => {
    const failures: string[] = [];
    const requests = [
      `GET /voice/a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /avatars/%00 HTTP/1.1\r\nHost: x\r\nOrigin: \u0001\r\n\r\n`,
      `GET /trpc/auth.me HTTP/1.1\r\nHost: x\r\nCookie: session=\u00ff\u0000\r\n\r\n`,
      `GET /trpc/auth.me?input=${"%7B".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${"a".repeat(20_000)}\r\n\r\n`,
      `POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      `POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `POST /trpc/auth.signIn HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      `GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET / HTTP/9.9\r\nHost: x\r\n\r\n`,
    ];
    for (const request of requests) {
      const { status, text } = await rawRequest(port, Buffer.from(request, "latin1"));
      if (!clientError(status))
        failures.push(`${JSON.stringify(request.slice(0, 80))}: ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    await expectStillServing();
  });

  it("answers a body cut off or mangled mid-way as the client's fault", { timeout: 30_000 }, async () => {
    const failures: string[] = [];
    for (const route of ["/trpc/auth.signIn", `/voice-input/${visitor.conversationId}`]) {
      const head = `POST ${route} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${visitor.token}\r\nContent-Type: audio/webm\r\n`;
      for (const [name, request] of [
        ["cut off", `${head}Content-Length: 1000\r\n\r\n{"a":`],
        ["bad chunk", `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
        ["cut off chunked", `${head}Transfer-Encoding: chunked\r\n\r\n10\r\n{"a":`],
      ] as const) {
        const { status, text } = await rawRequest(port, request, { hangUp: true });
        if (status >= 500) failures.push(`${route} ${name}: ${text.slice(0, 200)}`);
      }
    }
    // The server notices the hang-up after our side closed: give it the moment to answer it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures).toEqual([]);
    await expectStillServing();
  });
});

describe("the embedded object store", () => {
  let dir: string;
  let s3: Awaited<ReturnType<typeof startEmbeddedS3>>;
  let storage: Storage;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "s3-fuzz-"));
    s3 = await startEmbeddedS3({
      directory: dir,
      bucket: "test",
      allowedOrigins: ["http://dashboard.test"],
      secretAccessKey: randomBytes(16).toString("hex"),
    });
    storage = createStorage(s3.config);
    await storage.ensureBucket();
    await storage.put("tenants/a/file", "secret", "text/plain");
    port = Number(new URL(s3.config.endpoint).port);
  });
  afterAll(async () => {
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "refuses malformed signatures, dates, keys, lengths and ranges with a 4xx",
    { timeout: 30_000 },
    async () => {
      const now = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
      const day = now.slice(0, 8);
      const credential = `embedded/${day}/us-east-1/s3/aws4_request`;
      const auth = (rest: string) => `AWS4-HMAC-SHA256 ${rest}`;
      const good = auth(
        `Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
      );
      const signer = new S3Client({
        endpoint: s3.config.endpoint,
        region: s3.config.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.config.accessKeyId, secretAccessKey: s3.config.secretAccessKey },
      });
      const presigned = await getSignedUrl(
        signer,
        new GetObjectCommand({ Bucket: "test", Key: "tenants/a/file" }),
      );
      const headerCases: Array<[string, string, Record<string, string>]> = [
        ["no auth", "/test/tenants/a/file", {}],
        ["Authorization: garbage", "/test/tenants/a/file", { authorization: "garbage" }],
        ["algorithm only", "/test/tenants/a/file", { authorization: "AWS4-HMAC-SHA256" }],
        [
          "empty parts",
          "/test/tenants/a/file",
          { authorization: auth("Credential=, SignedHeaders=, Signature=") },
        ],
        [
          "credential garbage",
          "/test/tenants/a/file",
          { authorization: auth("Credential=%ZZ/\u00ff, Signature=x") },
        ],
        ["no X-Amz-Date", "/test/tenants/a/file", { authorization: good }],
        ["X-Amz-Date garbage", "/test/tenants/a/file", { authorization: good, "x-amz-date": "yesterday" }],
        [
          "X-Amz-Date long ago",
          "/test/tenants/a/file",
          { authorization: good, "x-amz-date": "19700101T000000Z" },
        ],
        [
          "X-Amz-Date far ahead",
          "/test/tenants/a/file",
          { authorization: good, "x-amz-date": "99991231T235959Z" },
        ],
        ["wrong signature", "/test/tenants/a/file", { authorization: good, "x-amz-date": now }],
        ["traversal", "/test/../../etc/passwd", { authorization: good, "x-amz-date": now }],
        ["encoded traversal", "/test/%2e%2e/%2e%2e/etc/passwd", { authorization: good, "x-amz-date": now }],
        ["bad escape in key", "/test/a%ZZ", { authorization: good, "x-amz-date": now }],
        ["NUL in key", "/test/a%00b", { authorization: good, "x-amz-date": now }],
        [
          "presign: negative expiry",
          `/test/tenants/a/file?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(credential)}&X-Amz-Date=${now}&X-Amz-Expires=-1&X-Amz-SignedHeaders=host&X-Amz-Signature=${"0".repeat(64)}`,
          {},
        ],
        [
          "presign: NaN expiry",
          `/test/tenants/a/file?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(credential)}&X-Amz-Date=${now}&X-Amz-Expires=NaN&X-Amz-SignedHeaders=host&X-Amz-Signature=x`,
          {},
        ],
        ["presign: bad escape", "/test/tenants/a/file?X-Amz-Credential=%ZZ", {}],
        [
          "presign: repeated parameters",
          "/test/tenants/a/file?X-Amz-Date=1&X-Amz-Date=2&X-Amz-Signature=&X-Amz-Signature=",
          {},
        ],
      ];
      const failures: string[] = [];
      for (const [name, target, headers] of headerCases) {
        for (const method of ["GET", "HEAD", "PUT", "DELETE", "POST"]) {
          const { status, text } = await rawRequest(
            port,
            `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
              .map(([k, v]) => `${k}: ${v}\r\n`)
              .join("")}Content-Length: 0\r\n\r\n`,
          );
          if (!clientError(status)) failures.push(`${method} ${name}: ${text.slice(0, 200)}`);
        }
      }
      for (const [name, headers] of [
        ["absurd Content-Length", { "content-length": "99999999999999" }],
        ["negative Content-Length", { "content-length": "-5" }],
      ] as const) {
        const { status, text } = await rawRequest(
          port,
          `PUT /test/tenants/a/file HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${good}\r\nX-Amz-Date: ${now}\r\nContent-Length: ${headers["content-length"]}\r\n\r\nabc`,
        );
        if (!clientError(status)) failures.push(`${name}: ${text.slice(0, 200)}`);
      }
      for (const range of ["bytes=abc", "bytes=999999-0", "bytes=-", "lines=1-2", "bytes=0-1,".repeat(500)]) {
        const response = await fetch(presigned, { headers: { range } });
        await response.arrayBuffer();
        if (response.status >= 500) failures.push(`Range ${range.slice(0, 20)}: ${response.status}`);
      }
      // Signed, so past the signature check: keys the file system cannot hold must still be refused.
      for (const key of [
        "a/../b",
        "a/./b",
        "a//b",
        ".hidden",
        "x".repeat(300),
        "ü".repeat(200),
        `a/${"y".repeat(256)}`,
      ]) {
        for (const command of [
          new PutObjectCommand({ Bucket: "test", Key: key, ContentType: "text/plain", ContentLength: 1 }),
          new GetObjectCommand({ Bucket: "test", Key: key }),
        ]) {
          const url = await getSignedUrl(signer, command, {
            signableHeaders: new Set(["content-type", "content-length"]),
          });
          const put = command instanceof PutObjectCommand;
          const response = await fetch(
            url,
            put ? { method: "PUT", headers: { "content-type": "text/plain" }, body: "x" } : {},
          );
          const text = await response.text();
          if (!clientError(response.status))
            failures.push(
              `signed ${put ? "PUT" : "GET"} ${key.slice(0, 30)}: ${response.status} ${text.slice(0, 200)}`,
            );
        }
      }
      signer.destroy();
      expect(failures).toEqual([]);
      expect(new TextDecoder().decode(await storage.get("tenants/a/file"))).toBe("secret");
    },
  );
});

describe("the realtime socket", () => {
  let platform: TestPlatform;
  let socket: Awaited<ReturnType<typeof attachTestRealtime>>;
  let port: number;
  let a: { visitorToken: string; conversationId: string; tenantId: string };
  let b: { visitorToken: string; conversationId: string; tenantId: string };

  async function visitorOf(email: string) {
    const owner = await signedInUser(platform, email);
    const bot = await owner.browser.chatbot.create.mutate({ name: "Bot", allowedOrigins: [shop] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const { visitorToken, conversationId } = await startVisitorConversation(platform, bot.publicKey, shop);
    return { visitorToken, conversationId, tenantId: owner.tenantId };
  }

  beforeAll(async () => {
    platform = await createTestPlatform();
    a = await visitorOf("a@example.com");
    b = await visitorOf("b@example.com");
    socket = await attachTestRealtime(platform);
    port = socket.port;
  }, 120_000);
  afterAll(async () => {
    await socket?.close();
    await platform?.close();
  });

  /** A socket of `token`, its replies as text, and its close code once closed. */
  async function open(token: string) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime?token=${encodeURIComponent(token)}`);
    const replies: string[] = [];
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.on("message", (data) => replies.push(String(data)));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return { ws, replies, closed };
  }

  async function expectStillServing() {
    const socket = await open(a.visitorToken);
    socket.ws.send(JSON.stringify({ type: "subscribe", channel: conversationChannel(a.conversationId) }));
    await expect.poll(() => socket.replies.some((r) => r.includes('"subscribed"'))).toBe(true);
    socket.ws.close();
    await socket.closed;
  }

  it("answers bad frames with an error frame and keeps the socket", { timeout: 30_000 }, async () => {
    const socket = await open(b.visitorToken);
    const frames: Array<string | Buffer> = [
      "{",
      "null",
      "[]",
      '"\\ud800"',
      "\u0000",
      JSON.stringify({ type: "nope" }),
      JSON.stringify({ type: "subscribe" }),
      JSON.stringify({ type: "subscribe", channel: 5 }),
      JSON.stringify({ type: "subscribe", channel: "conv:\u0000", lastId: -1 }),
      JSON.stringify({ type: "subscribe", channel: `conv:${b.conversationId}`, lastId: 1e308 }),
      JSON.stringify({ type: "typing", conversationId: "%00", on: "yes" }),
      JSON.stringify({ __proto__: { type: "ping" }, constructor: { prototype: {} } }),
      Buffer.from([0xff, 0xfe, 0x00]),
    ];
    for (const frame of frames) socket.ws.send(frame);
    socket.ws.send(JSON.stringify({ type: "ping" }));
    await expect.poll(() => socket.replies.some((r) => r.includes('"pong"'))).toBe(true);
    const errors = socket.replies.filter((r) => r.includes('"bad_message"'));
    expect(errors.length, socket.replies.join("\n")).toBe(frames.length);
    expect(socket.replies.join("\n")).not.toContain('"internal"');
    socket.ws.close();
    expect(await socket.closed).toBe(1005);
  });

  it("denies another tenant's channels and ids that do not exist", { timeout: 30_000 }, async () => {
    const socket = await open(b.visitorToken);
    const channels = [
      conversationChannel(a.conversationId),
      tenantChannel(a.tenantId),
      tenantChannel(b.tenantId),
      conversationChannel(ZERO_ID),
      "conv:not-a-uuid",
      `conv:${a.conversationId.toUpperCase()}`,
      `conv:${a.conversationId} `,
    ];
    for (const channel of channels) socket.ws.send(JSON.stringify({ type: "subscribe", channel }));
    await expect.poll(() => socket.replies.length).toBe(channels.length);
    expect(
      socket.replies.every((r) => r.includes('"denied"')),
      socket.replies.join("\n"),
    ).toBe(true);
    socket.ws.close();
    await socket.closed;
  });

  it(
    "closes a socket that floods or sends an oversized frame, and serves others",
    { timeout: 30_000 },
    async () => {
      const flooding = await open(b.visitorToken);
      const subscribe = JSON.stringify({ type: "subscribe", channel: conversationChannel(b.conversationId) });
      for (let i = 0; i < 3000; i++) flooding.ws.send(subscribe);
      expect(await flooding.closed).toBe(4029);

      const oversized = await open(b.visitorToken);
      oversized.ws.send(JSON.stringify({ type: "ping", pad: "x".repeat(64 * 1024) }));
      expect(await oversized.closed).toBe(1009);

      await expectStillServing();
    },
  );

  it(
    "refuses upgrades with garbage credentials, and a half-sent one holds nothing up",
    { timeout: 30_000 },
    async () => {
      const upgrade = (target: string, extra = "") =>
        rawRequest(
          port,
          `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
        );
      const failures: string[] = [];
      for (const [target, extra] of [
        ["/realtime", ""],
        ["/realtime?token=%ZZ", ""],
        ["/realtime?token=vt1.%00.%00", ""],
        ["/realtime?token=ack_%00", ""],
        [`/realtime?token=${"a".repeat(8000)}`, ""],
        ["/realtime", "Authorization: Bearer ack_\u00ff\r\n"],
        ["/realtime", "Authorization: Basic Zm9vOmJhcg==\r\n"],
        ["/realtime", "Cookie: session=%ZZ\r\nOrigin: null\r\n"],
        ["/realtime", "Cookie: session=\u0000\r\nOrigin: http://dashboard.test\r\n"],
        ["/realtime%00", ""],
      ] as const) {
        const { status, text } = await upgrade(target, extra);
        if (!clientError(status))
          failures.push(`${target.slice(0, 40)} ${extra.trim()}: ${text.slice(0, 120)}`);
      }
      expect(failures).toEqual([]);

      // Slowloris: upgrade requests that never finish their headers do not keep others out.
      const slow = Array.from({ length: 20 }, () => {
        const socket = net.connect(port, "127.0.0.1");
        socket.on("error", () => {});
        socket.write("GET /realtime HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n");
        return socket;
      });
      await expectStillServing();
      for (const socket of slow) socket.destroy();
    },
  );
});
