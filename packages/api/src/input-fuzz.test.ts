import net from "node:net";
import type { TestBackend } from "@avatar-chat/db/testing";
import { createVisitorToken } from "@avatar-chat/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { z } from "zod";
import { createSession, SESSION_COOKIE } from "./auth/sessions";
import { type FuzzPool, hostilePath, hostileValue, procedureInput } from "./input-fuzz";
import { appRouter } from "./root";
import { createTestPlatform, type TestPlatform, tenantSnapshot } from "./testing";
import { attachTestRealtime } from "./testing-realtime";
import { signedInUser } from "./testing-users";

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
/** fast-check's options: a given seed replays a run. */
const seeded = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const shop = "https://shop.example";

/** Who calls, all of tenant B; the id pool also holds tenant A's ids, so "B's owner on A's chatbot" is tried too. */
const callers = ["owner", "member", "apiKey", "visitor", "anonymous"] as const;
type Caller = (typeof callers)[number];

interface Procedure {
  path: string;
  type: "query" | "mutation";
  input: z.ZodType | undefined;
}

const procedures: Procedure[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string; inputs: z.ZodType[] } }>,
).map(([path, procedure]) => ({
  path,
  type: procedure._def.type === "query" ? "query" : "mutation",
  input: procedure._def.inputs[0],
}));
// Deleting B's chatbot ends what its visitor can reach: it goes last.
const runLast = new Set(["chatbot.delete"]);
procedures.sort((x, y) => Number(runLast.has(x.path)) - Number(runLast.has(y.path)));

const tally = {
  trpc: 0,
  malformed: 0,
  files: 0,
  widget: 0,
  upgrades: 0,
  frames: 0,
  byStatus: {} as Record<string, number>,
};
function count(kind: "trpc" | "malformed" | "files" | "widget" | "upgrades", status: number) {
  tally[kind]++;
  const bucket = `${Math.floor(status / 100)}xx`;
  tally.byStatus[bucket] = (tally.byStatus[bucket] ?? 0) + 1;
}

describe.each([
  "postgres",
  "pglite",
] as const satisfies readonly TestBackend[])("input fuzz on %s", (backend) => {
  let platform: TestPlatform;
  let pool: FuzzPool;
  let victimTenantId: string;
  const b = { tenantId: "", ownerId: "", memberId: "", chatbotId: "", apiKey: "", visitorToken: "" };
  const headers: Record<Caller, Record<string, string>> = {
    owner: {},
    member: {},
    apiKey: {},
    visitor: {},
    anonymous: { origin: shop },
  };

  /** Fresh sessions for B's owner and member (a fuzzed signOut may have ended the last ones), no rate limits. */
  async function refreshCallers() {
    const db = platform.deps.db;
    const prefix = platform.deps.config.redisPrefix;
    const limits = await platform.deps.redis.keys(`${prefix}rl:*`);
    if (limits.length) await platform.deps.redis.del(...limits);
    await db
      .insertInto("memberships")
      .values({ tenant_id: b.tenantId, user_id: b.memberId, role: "member" })
      .onConflict((oc) => oc.columns(["tenant_id", "user_id"]).doUpdateSet({ role: "member" }))
      .execute();
    await db.updateTable("chatbots").set({ published: true }).where("id", "=", b.chatbotId).execute();
    for (const [caller, userId] of [
      ["owner", b.ownerId],
      ["member", b.memberId],
    ] as const) {
      const { token } = await createSession(db, userId, 86_400_000, new Date(), {
        userAgent: null,
        ip: null,
        activeTenantId: b.tenantId,
      });
      headers[caller] = { cookie: `${SESSION_COOKIE}=${token}`, origin: platform.origin };
    }
    headers.apiKey = { authorization: `Bearer ${b.apiKey}` };
    headers.visitor = { authorization: `Bearer ${b.visitorToken}`, origin: shop };
  }

  /** One tRPC call over HTTP as tRPC's clients send it; the answer's status. */
  async function call(procedure: Procedure, caller: Caller, input: unknown): Promise<number> {
    const url = new URL(`/trpc/${procedure.path}`, platform.url);
    const init: RequestInit = { headers: { ...headers[caller] } };
    if (procedure.type === "query") {
      if (input !== undefined) url.searchParams.set("input", JSON.stringify(input));
    } else {
      init.method = "POST";
      init.headers = { ...headers[caller], "content-type": "application/json" };
      if (input !== undefined) init.body = JSON.stringify(input);
    }
    const response = await fetch(url, init);
    await response.arrayBuffer();
    count("trpc", response.status);
    return response.status;
  }

  beforeAll(async () => {
    platform = await createTestPlatform({}, { backend });
    // Tenant A: the victim, with one of everything.
    const a = await signedInUser(platform, "a-owner@example.com");
    const aMember = await signedInUser(platform, "a-member@example.com", {
      tenantId: a.tenantId,
      role: "member",
    });
    const aBot = await a.browser.chatbot.create.mutate({ name: "A bot", allowedOrigins: [shop] });
    await a.browser.chatbot.publish.mutate({ chatbotId: aBot.id });
    const aSource = await a.browser.knowledge.addText.mutate({
      chatbotId: aBot.id,
      title: "A",
      text: "secret",
    });
    const aKey = await a.browser.apiKey.create.mutate({ name: "A key", scopes: ["read"] });
    const aInvite = await a.browser.tenant.invite.mutate({ email: "invitee@example.com", role: "member" });
    const aVisitor = await platform
      .browser({ origin: shop })
      .widget.start.mutate({ publicKey: aBot.publicKey });
    const aChat = platform.browser({ origin: shop, bearer: aVisitor.visitorToken });
    const { conversationId: aConversation } = await aChat.conversation.start.mutate({});
    const aMessage = await aChat.conversation.send.mutate({
      conversationId: aConversation,
      content: "hello",
      clientMessageId: "a1",
    });
    victimTenantId = a.tenantId;

    // Tenant B: the callers, and objects of their own for the procedures to find.
    const bOwner = await signedInUser(platform, "b-owner@example.com");
    const bMember = await signedInUser(platform, "b-member@example.com", {
      tenantId: bOwner.tenantId,
      role: "member",
    });
    const bBot = await bOwner.browser.chatbot.create.mutate({ name: "B bot", allowedOrigins: [shop] });
    await bOwner.browser.chatbot.publish.mutate({ chatbotId: bBot.id });
    const bSource = await bOwner.browser.knowledge.addText.mutate({
      chatbotId: bBot.id,
      title: "B",
      text: "mine",
    });
    const bKey = await bOwner.browser.apiKey.create.mutate({
      name: "B key",
      scopes: ["read", "write", "chat"],
    });
    const bVisitor = await platform
      .browser({ origin: shop })
      .widget.start.mutate({ publicKey: bBot.publicKey });
    const bChat = platform.browser({ origin: shop, bearer: bVisitor.visitorToken });
    const { conversationId: bConversation } = await bChat.conversation.start.mutate({});
    const bMessage = await bChat.conversation.send.mutate({
      conversationId: bConversation,
      content: "hi",
      clientMessageId: "b1",
    });
    Object.assign(b, {
      tenantId: bOwner.tenantId,
      ownerId: bOwner.userId,
      memberId: bMember.userId,
      chatbotId: bBot.id,
      apiKey: bKey.key,
      visitorToken: bVisitor.visitorToken,
    });
    pool = {
      ids: [
        a.tenantId,
        a.userId,
        aMember.userId,
        aBot.id,
        aSource.id,
        aKey.id,
        aInvite.id,
        aConversation,
        aMessage.messageId,
        bOwner.tenantId,
        bMember.userId,
        bBot.id,
        bSource.id,
        bConversation,
        bMessage.messageId,
      ],
      emails: ["a-owner@example.com", "a-member@example.com", "b-owner@example.com", "new@example.com"],
    };
  }, 180_000); // PGlite on a busy machine: migrations and argon2 sign-ins take a while
  afterAll(async () => {
    await platform?.close();
  });

  it("has a case for every procedure", () => {
    expect(procedures.length).toBe(Object.keys(appRouter._def.procedures).length);
  });

  for (const procedure of procedures) {
    it(`${procedure.path}: no 5xx, and tenant A's rows unchanged`, { timeout: 300_000 }, async () => {
      await refreshCallers();
      const before = await tenantSnapshot(platform.deps.db, victimTenantId);
      for (const caller of callers) {
        await fc.assert(
          fc.asyncProperty(procedureInput(procedure.input, pool), async (input) => {
            const status = await call(procedure, caller, input);
            expect(status, `${procedure.path} as B's ${caller}`).toBeLessThan(500);
          }),
          { numRuns: RUNS, ...seeded, endOnFailure: RUNS > 20 },
        );
      }
      expect(
        await tenantSnapshot(platform.deps.db, victimTenantId),
        `${procedure.path} changed A's rows`,
      ).toBe(before);
    });
  }

  it("malformed tRPC requests: no 5xx for any body, query or path", { timeout: 300_000 }, async () => {
    const raw = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.constantFrom('{"a":', "[", "null", '"\\ud800"', "\u0000", "1e999", "{}".repeat(5000)),
      hostileValue.map((value) => JSON.stringify(value) ?? ""),
    );
    const request = fc.record({
      path: fc.oneof(
        fc.constantFrom(...procedures.map((p) => p.path)),
        fc.constantFrom("nope", "auth", "auth.signIn,auth.signIn", "widget.config,", "%00", "..%2F"),
      ),
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "OPTIONS"),
      batch: fc.boolean(),
      body: raw,
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "",
      ),
      caller: fc.constantFrom(...callers),
    });
    await refreshCallers();
    await fc.assert(
      fc.asyncProperty(request, async ({ path, method, batch, body, contentType, caller }) => {
        const url = new URL(`/trpc/${path}`, platform.url);
        if (batch) url.searchParams.set("batch", "1");
        const withBody = method !== "GET" && method !== "OPTIONS";
        if (!withBody) url.searchParams.set("input", body);
        const response = await fetch(url, {
          method,
          headers: { ...headers[caller], ...(contentType ? { "content-type": contentType } : {}) },
          ...(withBody ? { body } : {}),
        });
        await response.arrayBuffer();
        count("malformed", response.status);
        expect(response.status, `${method} ${url.pathname}${url.search.slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS * 30, ...seeded },
    );
  });

  it("/files and /widget: no 5xx for any path", { timeout: 300_000 }, async () => {
    for (const route of ["files", "widget"] as const) {
      await fc.assert(
        fc.asyncProperty(hostilePath, async (path) => {
          const response = await fetch(`${platform.url}/${route}/${path}`, { redirect: "manual" });
          await response.arrayBuffer();
          count(route, response.status);
          expect(response.status, `/${route}/${path}`).toBeLessThan(500);
        }),
        { numRuns: RUNS * 20, ...seeded },
      );
    }
  });

  describe("the realtime upgrade", () => {
    let socket: Awaited<ReturnType<typeof attachTestRealtime>>;
    let port: number;

    beforeAll(async () => {
      // Frames are fuzzed as fast as they can go; the per-socket rate limit has its own test.
      socket = await attachTestRealtime(platform, { messagesPerSecond: 100_000 });
      port = socket.port;
    });
    afterAll(() => socket?.close());

    /** Sends an upgrade request; the status line's code, after the server closed (or upgraded) the connection. */
    function upgrade(request: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        let answer = "";
        const done = () => {
          socket.destroy();
          resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
        };
        socket.on("data", (chunk) => {
          answer += chunk;
          // Upgraded, or not an upgrade at all (an empty Upgrade header) and answered as plain HTTP: we hang up.
          // A refusal must be closed by the server: `end` below.
          if (/^HTTP\/1\.1 (101|200) /.test(answer)) done();
        });
        socket.on("end", done);
        socket.on("error", reject);
        socket.write(request);
      });
    }

    const credential = () =>
      fc.oneof(
        fc.constant(b.visitorToken),
        fc.constant(b.apiKey),
        fc.constant(
          createVisitorToken("wrong secret", { visitorId: "v", tenantId: b.tenantId, chatbotId: "c" }, 60),
        ),
        fc.constantFrom("vt1.forged.sig", "ack_nonsense", "", "%00", "%ZZ", "x".repeat(5000)),
        fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent),
      );

    it(
      "answers every upgrade request below 500 and closes what it refuses",
      { timeout: 300_000 },
      async () => {
        const request = fc.record({
          path: fc.oneof(
            fc.constantFrom("/realtime", "/trpc/chatbot.list", "/", "/realtime/"),
            hostilePath.map((p) => `/${p}`),
          ),
          token: fc.option(credential(), { nil: undefined }),
          upgrade: fc.constantFrom("websocket", "h2c", "WebSocket", "garbage", ""),
          origin: fc.option(fc.constantFrom(platform.origin, shop, "null", "https://evil.test"), {
            nil: undefined,
          }),
          cookie: fc.option(fc.constantFrom(headers.owner.cookie ?? "", `${SESSION_COOKIE}=x.y`, "a=%ZZ"), {
            nil: undefined,
          }),
        });
        await fc.assert(
          fc.asyncProperty(request, async ({ path, token, upgrade: protocol, origin, cookie }) => {
            const target = token === undefined ? path : `${path}?token=${encodeURIComponent(token)}`;
            const lines = [
              `GET ${target.replace(/[\s]/g, "")} HTTP/1.1`,
              "Host: 127.0.0.1",
              "Connection: Upgrade",
              `Upgrade: ${protocol}`,
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
              "Sec-WebSocket-Version: 13",
              ...(origin ? [`Origin: ${origin}`] : []),
              ...(cookie ? [`Cookie: ${cookie}`] : []),
            ];
            const status = await upgrade(`${lines.join("\r\n")}\r\n\r\n`);
            count("upgrades", status);
            expect(status, lines.join(" | ")).toBeGreaterThan(0);
            expect(status, lines.join(" | ")).toBeLessThan(500);
          }),
          { numRuns: RUNS * 20, ...seeded },
        );
      },
    );

    it("keeps serving a socket that sends hostile frames", { timeout: 300_000 }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime?token=${b.visitorToken}`);
      const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const frames = fc.oneof(
        hostileValue.map((value) => JSON.stringify(value) ?? "null"),
        fc
          .record({
            type: fc.constantFrom("subscribe", "unsubscribe", "typing", "ping", "nope"),
            channel: fc.oneof(fc.constantFrom(`conv:${pool.ids[7]}`, `tenant:${b.tenantId}`), fc.string()),
            conversationId: fc.oneof(fc.constantFrom(...pool.ids), fc.string()),
            lastId: fc.oneof(fc.integer(), fc.constantFrom(-1, 2 ** 53, 1e308)),
            on: fc.boolean(),
          })
          .map((message) => JSON.stringify(message)),
        fc.string({ unit: "binary", maxLength: 100 }),
      );
      const replies: string[] = [];
      ws.on("message", (data) => replies.push(String(data)));
      for (const frame of fc.sample(frames, { numRuns: RUNS * 40, ...seeded })) {
        // Frames over the size limit close the socket (1009) by design: those are not sent.
        if (Buffer.byteLength(frame) > 4096) continue;
        ws.send(frame);
        tally.frames++;
      }
      ws.send(JSON.stringify({ type: "ping" }));
      await expect.poll(() => replies.some((r) => r.includes('"pong"')), { timeout: 10_000 }).toBe(true);
      expect(
        replies.some((r) => r.includes('"internal"')),
        replies.join("\n").slice(0, 2000),
      ).toBe(false);
      ws.close();
      expect(await closed).toBe(1005);
    });
  });
});

afterAll(() => {
  console.log(
    `input fuzz: ${tally.trpc} tRPC calls (${procedures.length} procedures × ${callers.length} callers × ${RUNS} runs, ` +
      `on PostgreSQL and PGlite), ${tally.malformed} malformed tRPC requests, ${tally.files} /files, ${tally.widget} /widget, ${tally.upgrades} realtime ` +
      `upgrades, ${tally.frames} realtime frames; answers by class ${JSON.stringify(tally.byStatus)}`,
  );
});
