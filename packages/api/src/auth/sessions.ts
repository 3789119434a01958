import { createHash } from "node:crypto";
import type { Database, Role, Session } from "@avatar-chat/db";
import type { ExpressionBuilder, Kysely } from "kysely";
import type { SessionCache } from "./session-cache";
import { constantTimeEqual, hashSecret, randomToken } from "./tokens";

// Lucia's session pattern: the token is "<id>.<secret>", the id finds the row and only the secret's
// SHA-256 is stored, so a database leak yields no usable session.
export const SESSION_COOKIE = "ac_session";

/** Sessions are extended when less than this share of their lifetime is left (sliding expiry). */
const RENEW_WHEN_REMAINING = 0.5;

export interface SessionContext {
  userAgent: string | null;
  ip: string | null;
  activeTenantId: string | null;
}

export async function createSession(
  db: Kysely<Database>,
  userId: string,
  ttlMs: number,
  now: Date,
  context: SessionContext,
): Promise<{ token: string; session: Session }> {
  const id = randomToken();
  const secret = randomToken();
  const session = await db
    .insertInto("sessions")
    .values({
      id,
      secret_hash: hashSecret(secret),
      user_id: userId,
      active_tenant_id: context.activeTenantId,
      user_agent: context.userAgent,
      ip: context.ip,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ttlMs),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token: `${id}.${secret}`, session };
}

/** A session row with the user's role in its active workspace (null: none active, or not a member of it). */
export type CheckedSession = Session & { role: Role | null };

/** The role column of a session read: the membership in the session's active workspace, in the same statement. */
const roleInActiveTenant = (eb: ExpressionBuilder<Database, "sessions">) =>
  eb
    .selectFrom("memberships")
    .select("memberships.role")
    .whereRef("memberships.tenant_id", "=", "sessions.active_tenant_id")
    .whereRef("memberships.user_id", "=", "sessions.user_id")
    .as("role");

/**
 * The live session for a token, with the user's role in its active workspace, renewed when half its
 * lifetime has passed; null when invalid or expired. Both come from this process's short cache when they
 * were read moments ago (session-cache.ts), else from one statement; the secret and the expiry are checked
 * on every call either way.
 */
export async function validateSessionToken(
  db: Kysely<Database>,
  cache: SessionCache,
  token: string,
  ttlMs: number,
  now: Date,
): Promise<CheckedSession | null> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  const nowMs = now.getTime();
  let session = cache.fresh(id, nowMs)?.value;
  if (!session) {
    const evictions = cache.evictions;
    session = await db
      .selectFrom("sessions")
      .selectAll("sessions")
      .select(roleInActiveTenant)
      .where("sessions.id", "=", id)
      .executeTakeFirst();
    if (session) cache.remember(id, session, nowMs, evictions);
  }
  // node:crypto's native SHA-256 (the digest hashSecret computes): this runs on every dashboard request.
  const hash = createHash("sha256").update(secret).digest();
  if (!session || !constantTimeEqual(hash, new Uint8Array(session.secret_hash))) return null;
  if (session.expires_at.getTime() <= nowMs) {
    cache.forget(id);
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  if (session.expires_at.getTime() - nowMs < ttlMs * RENEW_WHEN_REMAINING) {
    const expiresAt = new Date(nowMs + ttlMs);
    const evictions = cache.evictions;
    const renewed = await db
      .updateTable("sessions")
      .set({ expires_at: expiresAt, last_seen_at: now })
      .where("id", "=", id)
      .returningAll()
      .returning(roleInActiveTenant)
      .executeTakeFirst();
    if (!renewed) return null; // ended meanwhile
    cache.remember(id, renewed, nowMs, evictions);
    return renewed;
  }
  return session;
}

export async function invalidateSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

export async function invalidateUserSessions(db: Kysely<Database>, userId: string, exceptId?: string) {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptId) query = query.where("id", "!=", exceptId);
  await query.execute();
}

export interface CookieOptions {
  secure: boolean;
}

/** HttpOnly keeps scripts away from the token; SameSite=Lax plus the Origin check stops CSRF. */
export function sessionCookie(token: string, expiresAt: Date, options: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}

export function blankSessionCookie(options: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    "Max-Age=0",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
