import type { Session } from "@avatar-chat/db";
import { type CredentialCache, createCredentialCache } from "./credential-cache";

/**
 * A session checked in the last few seconds is taken from this process's memory, so a dashboard
 * request costs no database read for it (as API keys, api-keys.ts). Every change that ends a session
 * or changes what it holds (sign-out, revocation, a new password, another workspace, a lost membership)
 * evicts the user's entries here and, through the credential-change channel, in every other process at
 * once; expiry is checked on every use. Only a session deleted behind the api's back (by hand, in SQL)
 * outlives its deletion here, by at most this long.
 */
export const SESSION_CACHE_MS = 5_000;
const SESSION_CACHE_MAX_ENTRIES = 10_000;

/** Session rows by session id. */
export type SessionCache = CredentialCache<Session>;

export function createSessionCache(): SessionCache {
  return createCredentialCache<Session>({ max: SESSION_CACHE_MAX_ENTRIES, ttlMs: SESSION_CACHE_MS });
}

/** Drops every cached session of `userId` in this process (the handler of a user's credential change). */
export function forgetUserSessions(cache: SessionCache, userId: string): void {
  cache.forgetWhere((session) => session.user_id === userId);
}
