import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ApiKeyScope } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import {
  conversationChannel,
  createVisitorToken,
  tenantChannel,
  verifyVisitorToken,
} from "@avatar-chat/protocol";
import { createRealtime, originAllowed } from "@avatar-chat/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { generateApiKey } from "./auth/api-keys";
import { createCredentialCaches } from "./auth/credential-changes";
import { createSession, invalidateSession, SESSION_COOKIE } from "./auth/sessions";
import { createRealtimeAccess, nextCheck, type RealtimeAccess } from "./realtime-access";
import { TEST_REDIS_URL } from "./testing";

const appSecret = randomBytes(32).toString("hex");
const dashboard = "http://dashboard.test";

/** An upgrade request as the realtime server hands it over: only headers and url are read. */
function upgrade(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as IncomingMessage;
}

describe("realtime access", () => {
  let database: TestDatabase;
  let access: RealtimeAccess;
  const world = {} as Record<
    | "tenantA"
    | "tenantB"
    | "botA"
    | "botB"
    | "visitorA"
    | "visitorA2"
    | "visitorB"
    | "convA"
    | "convA2"
    | "convB"
    | "userA",
    string
  >;
  let cookieA = "";
  let keys: Record<"read" | "write" | "revoked", string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.kysely;
    access = createRealtimeAccess({
      db,
      credentials: createCredentialCaches(),
      appSecret,
      sessionTtlMs: 86_400_000,
      clock: () => new Date(),
    });
    for (const t of ["A", "B"] as const) {
      const tenant = await db
        .insertInto("tenants")
        .values({ name: t, slug: `tenant-${t.toLowerCase()}` })
        .returning("id")
        .executeTakeFirstOrThrow();
      const bot = await db
        .insertInto("chatbots")
        .values({ tenant_id: tenant.id, name: t, public_key: `pk_${t}`, avatar: "{}", theme: "{}" })
        .returning("id")
        .executeTakeFirstOrThrow();
      world[`tenant${t}`] = tenant.id;
      world[`bot${t}`] = bot.id;
    }
    const visitor = (tenantId: string, chatbotId: string) =>
      db
        .insertInto("visitors")
        .values({ tenant_id: tenantId, chatbot_id: chatbotId, metadata: "{}" })
        .returning("id")
        .executeTakeFirstOrThrow()
        .then((r) => r.id);
    const conversation = (tenantId: string, chatbotId: string, visitorId: string) =>
      db
        .insertInto("conversations")
        .values({ tenant_id: tenantId, chatbot_id: chatbotId, visitor_id: visitorId })
        .returning("id")
        .executeTakeFirstOrThrow()
        .then((r) => r.id);
    world.visitorA = await visitor(world.tenantA, world.botA);
    world.visitorA2 = await visitor(world.tenantA, world.botA);
    world.visitorB = await visitor(world.tenantB, world.botB);
    world.convA = await conversation(world.tenantA, world.botA, world.visitorA);
    world.convA2 = await conversation(world.tenantA, world.botA, world.visitorA2);
    world.convB = await conversation(world.tenantB, world.botB, world.visitorB);
    const user = await db
      .insertInto("users")
      .values({ email: "a@example.com", password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    world.userA = user.id;
    await db
      .insertInto("memberships")
      .values({ tenant_id: world.tenantA, user_id: user.id, role: "member" })
      .execute();
    const { token } = await createSession(db, user.id, 86_400_000, new Date(), {
      userAgent: null,
      ip: null,
      activeTenantId: world.tenantA,
    });
    cookieA = `${SESSION_COOKIE}=${token}`;
    const key = async (scopes: ApiKeyScope[], revoked = false) => (await insertKey(scopes, revoked)).key;
    keys = { read: await key(["read"]), write: await key(["write"]), revoked: await key(["read"], true) };
  });
  afterAll(() => database.drop());

  /** A key of tenant A: the secret to present and the row's id. */
  async function insertKey(scopes: ApiKeyScope[], revoked = false) {
    const generated = generateApiKey();
    const row = await database.kysely
      .insertInto("api_keys")
      .values({
        tenant_id: world.tenantA,
        name: "k",
        prefix: generated.prefix,
        key_hash: generated.hash,
        scopes,
        revoked_at: revoked ? new Date() : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { key: generated.key, id: row.id };
  }

  const visitorToken = (visitorId: string, tenantId: string, chatbotId: string, ttl = 600) =>
    createVisitorToken(appSecret, { visitorId, tenantId, chatbotId }, ttl);

  it("authenticates visitors from ?token= or the Authorization header", async () => {
    const token = visitorToken(world.visitorA, world.tenantA, world.botA);
    const expected = {
      kind: "visitor",
      tenantId: world.tenantA,
      chatbotId: world.botA,
      visitorId: world.visitorA,
      expiresAt: verifyVisitorToken(appSecret, token)?.expiresAt,
    };
    expect(await access.authenticate(upgrade(`/realtime?token=${token}`))).toEqual(expected);
    expect(await access.authenticate(upgrade("/realtime", { authorization: `Bearer ${token}` }))).toEqual(
      expected,
    );
    const forged = createVisitorToken(
      "another secret",
      { visitorId: "x", tenantId: world.tenantB, chatbotId: "y" },
      600,
    );
    expect(await access.authenticate(upgrade(`/realtime?token=${forged}`))).toBeNull();
    const expired = visitorToken(world.visitorA, world.tenantA, world.botA, -10);
    expect(await access.authenticate(upgrade(`/realtime?token=${expired}`))).toBeNull();
  });

  it("authenticates API keys with a read or chat scope, never revoked ones", async () => {
    expect(
      await access.authenticate(upgrade("/realtime", { authorization: `Bearer ${keys.read}` })),
    ).toMatchObject({
      kind: "apiKey",
      tenantId: world.tenantA,
    });
    expect(
      await access.authenticate(upgrade("/realtime", { authorization: `Bearer ${keys.write}` })),
    ).toBeNull();
    expect(await access.authenticate(upgrade(`/realtime?token=${keys.revoked}`))).toBeNull();
    expect(await access.authenticate(upgrade("/realtime?token=nonsense"))).toBeNull();
  });

  it("authenticates session cookies; the service refuses a foreign Origin (403, originAllowed)", async () => {
    expect(await access.authenticate(upgrade("/realtime", { cookie: cookieA, origin: dashboard }))).toEqual({
      kind: "member",
      tenantId: world.tenantA,
      userId: world.userA,
      sessionId: cookieA.slice(cookieA.indexOf("=") + 1, cookieA.indexOf(".")),
      expiresAt: expect.any(Number),
    });
    // Who it is does not depend on the Origin; whether they may connect from there is the service's check.
    const foreign = await access.authenticate(
      upgrade("/realtime", { cookie: cookieA, origin: "https://evil.test" }),
    );
    expect(foreign).toMatchObject({ kind: "member", userId: world.userA });
    expect(originAllowed(foreign!, "https://evil.test", [dashboard])).toBe(false);
    expect(originAllowed(foreign!, undefined, [dashboard])).toBe(false);
    expect(
      await access.authenticate(upgrade("/realtime", { cookie: `${SESSION_COOKIE}=x.y`, origin: dashboard })),
    ).toBeNull();
    expect(await access.authenticate(upgrade("/realtime"))).toBeNull();
  });

  it("checks open sockets again: sessions and keys until signed out or revoked, visitor tokens never", async () => {
    const db = database.kysely;
    const now = Math.floor(Date.now() / 1000);
    const visitor = await access.authenticate(
      upgrade(`/realtime?token=${visitorToken(world.visitorA, world.tenantA, world.botA)}`),
    );
    expect(await access.renew(visitor!)).toBeNull(); // the client reconnects with a fresh token

    const { token, session } = await createSession(db, world.userA, 86_400_000, new Date(), {
      userAgent: null,
      ip: null,
      activeTenantId: world.tenantA,
    });
    const member = await access.authenticate(
      upgrade("/realtime", { cookie: `${SESSION_COOKIE}=${token}`, origin: dashboard }),
    );
    expect(member?.expiresAt).toBeGreaterThan(now);
    expect(member?.expiresAt).toBeLessThanOrEqual(now + 301); // rechecked well before the session's end
    expect(await access.renew(member!)).toBeGreaterThan(now);
    await invalidateSession(db, session.id); // signed out elsewhere
    expect(await access.renew(member!)).toBeNull();

    const chatKey = await insertKey(["chat"]);
    const integrator = await access.authenticate(
      upgrade("/realtime", { authorization: `Bearer ${chatKey.key}` }),
    );
    expect(await access.renew(integrator!)).toBeGreaterThan(now);
    await db.updateTable("api_keys").set({ revoked_at: new Date() }).where("id", "=", chatKey.id).execute();
    expect(await access.renew(integrator!)).toBeNull();
  });

  it("rechecks at the credential's expiry or after recheckSeconds, whichever comes first", () => {
    const now = new Date(1_000_000_000);
    expect(nextCheck(now, null, 300)).toBe(1_000_300);
    expect(nextCheck(now, new Date(1_000_100_000), 300)).toBe(1_000_100);
    expect(nextCheck(now, new Date(2_000_000_000), 300)).toBe(1_000_300);
  });

  it("lets visitors join only their own conversations", async () => {
    const visitor = {
      kind: "visitor",
      tenantId: world.tenantA,
      chatbotId: world.botA,
      visitorId: world.visitorA,
    } as const;
    expect(await access.authorize(visitor, conversationChannel(world.convA))).toBe(true);
    expect(await access.authorize(visitor, conversationChannel(world.convA2))).toBe(false);
    expect(await access.authorize(visitor, conversationChannel(world.convB))).toBe(false);
    expect(await access.authorize(visitor, tenantChannel(world.tenantA))).toBe(false);
    expect(await access.authorize(visitor, conversationChannel("not-a-uuid"))).toBe(false);
    // A token claiming another tenant still cannot reach this tenant's conversation.
    const liar = { ...visitor, tenantId: world.tenantB };
    expect(await access.authorize(liar, conversationChannel(world.convA))).toBe(false);
  });

  it("lets members and API keys join their tenant's channel and conversations only", async () => {
    for (const principal of [
      { kind: "member", tenantId: world.tenantA, userId: world.userA } as const,
      { kind: "apiKey", tenantId: world.tenantA, keyId: "k" } as const,
    ]) {
      expect(await access.authorize(principal, tenantChannel(world.tenantA))).toBe(true);
      expect(await access.authorize(principal, conversationChannel(world.convA2))).toBe(true);
      expect(await access.authorize(principal, tenantChannel(world.tenantB))).toBe(false);
      expect(await access.authorize(principal, conversationChannel(world.convB))).toBe(false);
    }
  });

  it("plugs into the realtime service: a visitor's socket joins its conversation, not another", async () => {
    const realtime = createRealtime({
      redis: TEST_REDIS_URL,
      keyPrefix: `t${randomBytes(4).toString("hex")}:`,
      authenticate: access.authenticate,
      authorize: access.authorize,
      allowedOrigins: [dashboard],
    });
    const { port } = await realtime.listen(0, "127.0.0.1");
    try {
      const token = visitorToken(world.visitorA, world.tenantA, world.botA);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime?token=${token}`);
      const frames: { type?: string; channel?: string }[] = [];
      ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const reply = async (channel: string) => {
        ws.send(JSON.stringify({ type: "subscribe", channel }));
        for (let i = 0; i < 300; i++) {
          const found = frames.find((f) => f.channel === channel && typeof f.type === "string");
          if (found) return found.type;
          await new Promise((r) => setTimeout(r, 10));
        }
        return "no reply";
      };
      expect(await reply(conversationChannel(world.convA))).toBe("subscribed");
      expect(await reply(conversationChannel(world.convB))).toBe("denied");
      ws.close();
      const refused = new WebSocket(`ws://127.0.0.1:${port}/realtime?token=vt1.bad.token`);
      const status = await new Promise<number | undefined>((resolve) => {
        refused.once("unexpected-response", (_req, res) => resolve(res.statusCode));
        refused.once("open", () => resolve(101));
        refused.once("error", () => {});
      });
      expect(status).toBe(401);
      // A real session cookie from a foreign Origin: 403, as docs/realtime.md says (not 401).
      const foreign = new WebSocket(`ws://127.0.0.1:${port}/realtime`, {
        headers: { cookie: cookieA, origin: "https://evil.test" },
      });
      const foreignStatus = await new Promise<number | undefined>((resolve) => {
        foreign.once("unexpected-response", (_req, res) => resolve(res.statusCode));
        foreign.once("open", () => resolve(101));
        foreign.once("error", () => {});
      });
      expect(foreignStatus).toBe(403);
    } finally {
      await realtime.close();
    }
  });
});
