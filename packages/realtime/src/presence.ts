import {
  conversationChannel,
  parseChannel,
  publishEvent,
  type RealtimeEvent,
  redisScript,
  runScript,
  tenantChannel,
} from "@avatar-chat/protocol";
import type { Redis } from "ioredis";
import type { Principal } from "./access";

/**
 * Presence lives in Redis sorted sets whose scores are expiry times: every node refreshes the entries of its
 * own sockets on each heartbeat, so when a node dies its entries simply expire. Members are
 * `<visitorId or userId> <connectionId>` so two tabs of one person count once and closing one keeps the other.
 */
export type PresenceScope =
  | { kind: "chatbot"; tenantId: string; chatbotId: string }
  | { kind: "conversation"; conversationId: string };

export function scopeName(scope: PresenceScope): string {
  return scope.kind === "chatbot"
    ? `chatbot:${scope.tenantId}:${scope.chatbotId}`
    : `conv:${scope.conversationId}`;
}

function parseScopeName(name: string): PresenceScope | null {
  const [kind, a, b] = name.split(":");
  if (kind === "chatbot" && a && b) return { kind: "chatbot", tenantId: a, chatbotId: b };
  if (kind === "conv" && a) return { kind: "conversation", conversationId: a };
  return null;
}

const indexKey = (prefix: string) => `${prefix}rt:presence:index`;
const scopeKey = (prefix: string, scope: PresenceScope | string) =>
  `${prefix}rt:presence:${typeof scope === "string" ? scope : scopeName(scope)}`;

export interface PresenceEntry {
  scope: PresenceScope;
  /** `<personId> <connectionId>` */
  member: string;
}

export async function touchPresence(
  redis: Redis,
  prefix: string,
  entries: readonly PresenceEntry[],
  expiresAt: number,
): Promise<void> {
  if (entries.length === 0) return;
  const pipeline = redis.pipeline();
  for (const { scope, member } of entries) {
    pipeline.zadd(scopeKey(prefix, scope), expiresAt, member);
    pipeline.zadd(indexKey(prefix), expiresAt, scopeName(scope));
  }
  await pipeline.exec();
}

export async function removePresence(redis: Redis, prefix: string, entry: PresenceEntry): Promise<void> {
  await redis.zrem(scopeKey(prefix, entry.scope), entry.member);
}

/** Distinct person ids present in a scope now; what the API should call to render "who is online". */
export async function readPresence(redis: Redis, prefix: string, scope: PresenceScope, now = Date.now()) {
  const members = await redis.zrangebyscore(scopeKey(prefix, scope), `(${now}`, "+inf");
  return [...new Set(members.map((m) => m.slice(0, m.lastIndexOf(" "))))].sort();
}

// Drops expired entries of every scope and reports the scopes that lost someone (one node wins each removal).
const sweepScript = redisScript(`
local changed = {}
for _, scope in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[2] .. scope
  if redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1]) > 0 then table.insert(changed, scope) end
  if redis.call('ZCARD', key) == 0 then redis.call('ZREM', KEYS[1], scope) end
end
return changed
`);

export async function sweepPresence(
  redis: Redis,
  prefix: string,
  now = Date.now(),
): Promise<PresenceScope[]> {
  const changed = (await runScript(redis, sweepScript, 1, [
    indexKey(prefix),
    now,
    `${prefix}rt:presence:`,
  ])) as string[];
  return changed.map(parseScopeName).filter((s): s is PresenceScope => s !== null);
}

/** Publishes the scope's current snapshot: visitors on the tenant channel, viewing agents on the conversation. */
export async function publishPresence(
  redis: Redis,
  prefix: string,
  scope: PresenceScope,
  maxLen: number,
): Promise<void> {
  const ids = await readPresence(redis, prefix, scope);
  const [channel, event]: [string, RealtimeEvent] =
    scope.kind === "chatbot"
      ? [
          tenantChannel(scope.tenantId),
          { type: "presence", scope: "chatbot", chatbotId: scope.chatbotId, visitorIds: ids },
        ]
      : [
          conversationChannel(scope.conversationId),
          {
            type: "presence",
            scope: "conversation",
            conversationId: scope.conversationId,
            viewerUserIds: ids,
          },
        ];
  await publishEvent(redis, channel, event, { prefix, maxLen });
}

/** A visitor socket is present on its chatbot while it is open. */
export function chatbotPresence(principal: Principal, connectionId: string): PresenceEntry | null {
  if (principal.kind !== "visitor") return null;
  return {
    scope: { kind: "chatbot", tenantId: principal.tenantId, chatbotId: principal.chatbotId },
    member: `${principal.visitorId} ${connectionId}`,
  };
}

/** A member socket subscribed to a conversation is one of its viewers. */
export function viewerPresence(
  principal: Principal,
  channel: string,
  connectionId: string,
): PresenceEntry | null {
  if (principal.kind !== "member") return null;
  const parsed = parseChannel(channel);
  if (parsed?.kind !== "conversation") return null;
  return {
    scope: { kind: "conversation", conversationId: parsed.conversationId },
    member: `${principal.userId} ${connectionId}`,
  };
}

/** Every presence entry of one socket, derived from what it holds rather than stored with it. */
export function presenceEntries(
  principal: Principal,
  channels: Iterable<string>,
  connectionId: string,
): PresenceEntry[] {
  const entries: PresenceEntry[] = [];
  const chatbot = chatbotPresence(principal, connectionId);
  if (chatbot) entries.push(chatbot);
  for (const channel of channels) {
    const viewer = viewerPresence(principal, channel, connectionId);
    if (viewer) entries.push(viewer);
  }
  return entries;
}
