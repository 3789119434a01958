import { type CredentialCache, createCredentialCache } from "./credential-cache";
import type { CheckedSession } from "./sessions";

/**
 * A session checked in the last few seconds is taken from this process's memory with the user's role in
 * its active workspace, so a dashboard request costs no database read for either (as API keys,
 * api-keys.ts). Every change that ends a session or changes what it holds (sign-out, revocation, a new
 * password, another workspace, a new role, a lost or new membership) evicts the user's entries here and,
 * through the credential-change channel, in every other process at once; expiry is checked on every use.
 * Only a change made behind the api's back (by hand, in SQL), or an announcement a process missed while
 * its Redis connection was down, outlives its cause here, by at most this long.
 */
export const SESSION_CACHE_MS = 5_000;
const SESSION_CACHE_MAX_ENTRIES = 10_000;

/** Session rows, each with the user's role in its active workspace, by session id. */
export type SessionCache = CredentialCache<CheckedSession>;

export function createSessionCache(): SessionCache {
  return createCredentialCache<CheckedSession>({ max: SESSION_CACHE_MAX_ENTRIES, ttlMs: SESSION_CACHE_MS });
}

/** Drops every cached session of `userId` in this process (the handler of a user's credential change). */
export function forgetUserSessions(cache: SessionCache, userId: string): void {
  cache.forgetWhere((session) => session.user_id === userId);
}
