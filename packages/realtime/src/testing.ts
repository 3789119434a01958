// Test helpers: a realtime node with real visitor tokens, an in-memory member/API-key table and the real
// access rules, plus a small socket wrapper. Used by the *.test.ts files only.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createVisitorToken, verifyVisitorToken } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { WebSocket } from "ws";
import { bearerToken, type ConversationOwner, canJoin, type Principal } from "./access";
import type { RealtimeLimitsInput } from "./limits";
import { createRealtime, type RealtimeDeps } from "./server";

export const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const secret = "test-secret";
export const dashboardOrigin = "https://app.example.test";

/** Two tenants, each with a member, an API key, a visitor and a conversation. */
export const world = {
  conversations: new Map<string, ConversationOwner>([
    ["c1", { tenantId: "t1", visitorId: "v1" }],
    ["c1b", { tenantId: "t1", visitorId: "v1b" }],
    ["c2", { tenantId: "t2", visitorId: "v2" }],
  ]),
  sessions: new Map<string, Principal>([
    ["s1", { kind: "member", tenantId: "t1", userId: "u1" }],
    ["s2", { kind: "member", tenantId: "t2", userId: "u2" }],
  ]),
  apiKeys: new Map<string, Principal>([["ack_t1", { kind: "apiKey", tenantId: "t1", keyId: "k1" }]]),
};

export function visitorToken(visitorId: string, tenantId = "t1", chatbotId = "b1", ttlSeconds = 600): string {
  return createVisitorToken(secret, { visitorId, tenantId, chatbotId }, ttlSeconds);
}

export async function authenticate(req: IncomingMessage): Promise<Principal | null> {
  const token = bearerToken(req.headers, req.url);
  if (token?.startsWith("vt1.")) {
    const claims = verifyVisitorToken(secret, token);
    return (
      claims && {
        kind: "visitor",
        tenantId: claims.tenantId,
        chatbotId: claims.chatbotId,
        visitorId: claims.visitorId,
        expiresAt: claims.expiresAt,
      }
    );
  }
  if (token) return world.apiKeys.get(token) ?? null;
  const session = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  return (session && world.sessions.get(session)) || null;
}

export function authorize(principal: Principal, channel: string): Promise<boolean> {
  return canJoin(principal, channel, async (id) => world.conversations.get(id) ?? null);
}

export function newPrefix(): string {
  return `test:rt:${randomUUID()}:`;
}

/** A Redis connection and a key prefix for one test file; the prefix's keys go after the file's tests. */
export function redisForTests(): { prefix: string; redis: Redis } {
  const prefix = newPrefix();
  const redis = newRedis();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  return { prefix, redis };
}

export { deleteKeys } from "@avatar-chat/protocol/testing";

export async function startNode(
  options: { prefix: string; url?: string; limits?: RealtimeLimitsInput } & Partial<
    Pick<RealtimeDeps, "authenticate" | "renew" | "logger">
  >,
) {
  const realtime = createRealtime({
    redis: options.url ?? redisUrl,
    keyPrefix: options.prefix,
    authenticate: options.authenticate ?? authenticate,
    authorize,
    allowedOrigins: [dashboardOrigin],
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.renew ? { renew: options.renew } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { port } = await realtime.listen(0, "127.0.0.1");
  return { realtime, port, url: `ws://127.0.0.1:${port}/realtime` };
}

export type TestSocket = Awaited<ReturnType<typeof openSocket>>;

/** Opens a socket and records every frame and the close code. Rejects with the HTTP status on refusal. */
export function openSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const frames: Record<string, unknown>[] = [];
  let closeCode: number | null = null;
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  ws.on("close", (code) => {
    closeCode = code;
  });
  ws.on("error", () => {});
  const socket = {
    ws,
    frames,
    closeCode: () => closeCode,
    send: (message: object) => ws.send(JSON.stringify(message)),
    /** Ids of the envelopes received on a channel, in arrival order. */
    ids: (channel: string) =>
      frames.filter((f) => typeof f.id === "number" && f.channel === channel).map((f) => f.id as number),
    control: (type: string) => frames.filter((f) => f.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close();
      }),
  };
  return new Promise<typeof socket>((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

export async function subscribed(socket: TestSocket, channel: string, lastId?: number) {
  const before = socket.frames.length;
  socket.send(lastId === undefined ? { type: "subscribe", channel } : { type: "subscribe", channel, lastId });
  const reply = async () =>
    socket.frames.slice(before).find((f) => f.channel === channel && typeof f.type === "string");
  let found: Record<string, unknown> | undefined;
  for (let i = 0; i < 200 && !found; i++) {
    found = await reply();
    if (!found) await new Promise((r) => setTimeout(r, 10));
  }
  if (!found) throw new Error(`no reply to subscribe ${channel}`);
  return found;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function newRedis(url = redisUrl): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", () => {}); // reconnects by itself; the Redis-restart test provokes these
  return redis;
}
