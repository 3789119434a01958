import type { IncomingMessage } from "node:http";
import { type Database, withTenant } from "@avatar-chat/db";
import { verifyVisitorToken, visitorTokenPrefix } from "@avatar-chat/protocol";
import { bearerToken, type ConversationOwner, canJoin, type Principal } from "@avatar-chat/realtime/access";
import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import { API_KEY_PREFIX, validateApiKey } from "./auth/api-keys";
import type { CredentialCaches } from "./auth/credential-changes";
import { readCookie, SESSION_COOKIE, validateSessionToken } from "./auth/sessions";

export interface RealtimeAccessDeps {
  db: Kysely<Database>;
  /** The process's credential caches, shared with its api (createCredentialCaches). */
  credentials: CredentialCaches;
  appSecret: string;
  sessionTtlMs: number;
  clock: () => Date;
  /** Conversation owners kept in memory (they never change); default 10,000. */
  cacheSize?: number;
  /** How often an open dashboard or API-key socket checks that its session or key still holds; default 300 s. */
  recheckSeconds?: number;
}

export interface RealtimeAccess {
  authenticate(req: IncomingMessage): Promise<Principal | null>;
  authorize(principal: Principal, channel: string): Promise<boolean>;
  /** For `createRealtime({ renew })`: the next check (unix seconds) while the credential holds, else null. */
  renew(principal: Principal): Promise<number | null>;
}

/**
 * When an open socket's credential is checked next: at its own expiry, or sooner so that a session signed out or
 * a key revoked elsewhere closes its sockets within `recheckSeconds`.
 */
export function nextCheck(now: Date, expiresAt: Date | null, recheckSeconds: number): number {
  const recheck = Math.floor(now.getTime() / 1000) + recheckSeconds;
  return expiresAt === null ? recheck : Math.min(recheck, Math.floor(expiresAt.getTime() / 1000));
}

const realtimeScopes = (scopes: readonly string[]) => scopes.some((s) => s === "read" || s === "chat");

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Identity and channel rules for the realtime service, backed by the api's database: visitor tokens
 * (`?token=vt1...` or `Authorization: Bearer`), API keys with the read or chat scope (bearer), and
 * dashboard session cookies (the service admits those only from a dashboard Origin: 403 otherwise).
 * Open sockets are checked again at `expiresAt`: visitors close when their token expires, sessions and keys
 * every `recheckSeconds` (signed out, removed from the tenant or revoked → closed with 4001).
 */
export function createRealtimeAccess(deps: RealtimeAccessDeps): RealtimeAccess {
  const owners = new LRUCache<string, ConversationOwner>({ max: deps.cacheSize ?? 10_000 });
  const recheckSeconds = deps.recheckSeconds ?? 300;

  async function isMember(tenantId: string, userId: string): Promise<boolean> {
    const membership = await withTenant(deps.db, tenantId, (tx) =>
      tx
        .selectFrom("memberships")
        .select("role")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .executeTakeFirst(),
    );
    return membership !== undefined;
  }

  async function authenticate(req: IncomingMessage): Promise<Principal | null> {
    const now = deps.clock();
    const token = bearerToken(req.headers, req.url);
    if (token?.startsWith(visitorTokenPrefix)) {
      const visitor = verifyVisitorToken(deps.appSecret, token, now);
      return visitor && { kind: "visitor", ...pick(visitor), expiresAt: visitor.expiresAt };
    }
    if (token?.startsWith(API_KEY_PREFIX)) {
      const key = await validateApiKey(deps.db, deps.credentials.apiKeys, token, now);
      if (!key || !realtimeScopes(key.scopes)) return null;
      // The key's own expiry is checked by `renew`, which the first recheck runs.
      return {
        kind: "apiKey",
        tenantId: key.tenantId,
        keyId: key.id,
        expiresAt: nextCheck(now, null, recheckSeconds),
      };
    }
    if (token) return null;
    // Who it is, whatever the Origin: the service then refuses a foreign Origin with 403 (`originAllowed`).
    const cookie = readCookie(req.headers.cookie ?? null, SESSION_COOKIE);
    const session = cookie
      ? await validateSessionToken(deps.db, deps.credentials.sessions, cookie, deps.sessionTtlMs, now)
      : null;
    // The role in the active workspace comes with the (cached) session: none, no member socket.
    if (!session?.active_tenant_id || !session.role) return null;
    return {
      kind: "member",
      tenantId: session.active_tenant_id,
      userId: session.user_id,
      sessionId: session.id,
      expiresAt: nextCheck(now, session.expires_at, recheckSeconds),
    };
  }

  /** Visitor tokens cannot be extended (the client fetches a new one); sessions and keys hold until revoked. */
  async function renew(principal: Principal): Promise<number | null> {
    const now = deps.clock();
    if (principal.kind === "visitor") return null;
    if (principal.kind === "member") {
      if (!principal.sessionId) return null;
      const session = await deps.db
        .selectFrom("sessions")
        .select(["user_id", "active_tenant_id", "expires_at"])
        .where("id", "=", principal.sessionId)
        .executeTakeFirst();
      const holds =
        session?.user_id === principal.userId &&
        session.active_tenant_id === principal.tenantId &&
        session.expires_at.getTime() > now.getTime() &&
        (await isMember(principal.tenantId, principal.userId));
      return holds ? nextCheck(now, session.expires_at, recheckSeconds) : null;
    }
    const key = await withTenant(deps.db, principal.tenantId, (tx) =>
      tx
        .selectFrom("api_keys")
        .select(["revoked_at", "expires_at", "scopes"])
        .where("tenant_id", "=", principal.tenantId)
        .where("id", "=", principal.keyId)
        .executeTakeFirst(),
    );
    const holds =
      key !== undefined &&
      key.revoked_at === null &&
      (key.expires_at === null || key.expires_at.getTime() > now.getTime()) &&
      realtimeScopes(key.scopes);
    return holds ? nextCheck(now, key.expires_at, recheckSeconds) : null;
  }

  /** The conversation's owner, looked up only inside the principal's tenant (RLS and a tenant filter). */
  async function ownerWithin(tenantId: string, conversationId: string): Promise<ConversationOwner | null> {
    const cached = owners.get(conversationId);
    if (cached) return cached;
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
    return owner;
  }

  return {
    authenticate,
    renew,
    authorize: (principal, channel) =>
      canJoin(principal, channel, (id) => ownerWithin(principal.tenantId, id)),
  };
}

function pick(visitor: { tenantId: string; chatbotId: string; visitorId: string }) {
  return { tenantId: visitor.tenantId, chatbotId: visitor.chatbotId, visitorId: visitor.visitorId };
}
