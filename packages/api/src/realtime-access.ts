import type { IncomingMessage } from "node:http";
import { type Database, withTenant } from "@avatar-chat/db";
import { verifyVisitorToken, visitorTokenPrefix } from "@avatar-chat/protocol";
import { bearerToken, type ConversationOwner, canJoin, type Principal } from "@avatar-chat/realtime";
import type { Kysely } from "kysely";
import { API_KEY_PREFIX, validateApiKey } from "./auth/api-keys";
import { readCookie, SESSION_COOKIE, validateSessionToken } from "./auth/sessions";

export interface RealtimeAccessDeps {
  db: Kysely<Database>;
  appSecret: string;
  dashboardOrigins: readonly string[];
  sessionTtlMs: number;
  clock: () => Date;
  /** Conversation owners kept in memory (they never change); default 10,000. */
  cacheSize?: number;
}

export interface RealtimeAccess {
  authenticate(req: IncomingMessage): Promise<Principal | null>;
  authorize(principal: Principal, channel: string): Promise<boolean>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Identity and channel rules for the realtime service, backed by the api's database: visitor tokens
 * (`?token=vt1...` or `Authorization: Bearer`), API keys with the read or chat scope (bearer), and
 * dashboard session cookies (only from a dashboard Origin: browsers attach cookies to any site's socket).
 */
export function createRealtimeAccess(deps: RealtimeAccessDeps): RealtimeAccess {
  const owners = new Map<string, ConversationOwner>();
  const cacheSize = deps.cacheSize ?? 10_000;

  async function authenticate(req: IncomingMessage): Promise<Principal | null> {
    const now = deps.clock();
    const token = bearerToken(req.headers, req.url);
    if (token?.startsWith(visitorTokenPrefix)) {
      const visitor = verifyVisitorToken(deps.appSecret, token, now);
      return visitor && { kind: "visitor", ...pick(visitor) };
    }
    if (token?.startsWith(API_KEY_PREFIX)) {
      const key = await validateApiKey(deps.db, token, now);
      if (!key || !key.scopes.some((s) => s === "read" || s === "chat")) return null;
      return { kind: "apiKey", tenantId: key.tenantId, keyId: key.id };
    }
    if (token) return null;
    const origin = req.headers.origin;
    if (!origin || !deps.dashboardOrigins.includes(origin)) return null;
    const cookie = readCookie(req.headers.cookie ?? null, SESSION_COOKIE);
    const session = cookie ? await validateSessionToken(deps.db, cookie, deps.sessionTtlMs, now) : null;
    if (!session?.active_tenant_id) return null;
    const membership = await deps.db
      .selectFrom("memberships")
      .select("role")
      .where("tenant_id", "=", session.active_tenant_id)
      .where("user_id", "=", session.user_id)
      .executeTakeFirst();
    return membership
      ? { kind: "member", tenantId: session.active_tenant_id, userId: session.user_id }
      : null;
  }

  /** The conversation's owner, looked up only inside the principal's tenant (RLS and a tenant filter). */
  async function ownerWithin(tenantId: string, conversationId: string): Promise<ConversationOwner | null> {
    const cached = owners.get(conversationId);
    if (cached) {
      owners.delete(conversationId); // re-insert: Map order is the LRU order
      owners.set(conversationId, cached);
      return cached;
    }
    if (!uuidPattern.test(conversationId)) return null;
    const row = await withTenant(deps.db, tenantId, (tx) =>
      tx
        .selectFrom("conversations")
        .select(["tenant_id", "visitor_id"])
        .where("tenant_id", "=", tenantId)
        .where("id", "=", conversationId)
        .executeTakeFirst(),
    );
    if (!row) return null; // not cached: the conversation may be created a moment later
    const owner = { tenantId: row.tenant_id, visitorId: row.visitor_id ?? "" };
    owners.set(conversationId, owner);
    if (owners.size > cacheSize) owners.delete(owners.keys().next().value as string);
    return owner;
  }

  return {
    authenticate,
    authorize: (principal, channel) =>
      canJoin(principal, channel, (id) => ownerWithin(principal.tenantId, id)),
  };
}

function pick(visitor: { tenantId: string; chatbotId: string; visitorId: string }) {
  return { tenantId: visitor.tenantId, chatbotId: visitor.chatbotId, visitorId: visitor.visitorId };
}
