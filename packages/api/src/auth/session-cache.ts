import type { Database, Session } from "@avatar-chat/db";
import type { Kysely } from "kysely";

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

interface SessionCache {
  entries: Map<string, { session: Session; cachedUntil: number }>;
  /** Bumped by every eviction: a read that began before it must not put a session back. */
  evictions: number;
}

// One cache per database handle, as the key cache: tests and processes with several databases never share.
const caches = new WeakMap<Kysely<Database>, SessionCache>();

function cacheOf(db: Kysely<Database>): SessionCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { entries: new Map(), evictions: 0 };
    caches.set(db, cache);
  }
  return cache;
}

/** The cached row of session `id`, if checked within SESSION_CACHE_MS of `nowMs`. */
export function cachedSession(db: Kysely<Database>, id: string, nowMs: number): Session | undefined {
  const entry = cacheOf(db).entries.get(id);
  return entry && entry.cachedUntil > nowMs ? entry.session : undefined;
}

/** The current count of evictions: pass it to rememberSession with the row read after it. */
export function sessionEvictions(db: Kysely<Database>): number {
  return cacheOf(db).evictions;
}

/** Caches a session row read when `evictionsBefore` was current, unless one was evicted since. */
export function rememberSession(
  db: Kysely<Database>,
  session: Session,
  nowMs: number,
  evictionsBefore: number,
): void {
  const cache = cacheOf(db);
  if (cache.evictions !== evictionsBefore) return;
  cache.entries.delete(session.id);
  if (cache.entries.size >= SESSION_CACHE_MAX_ENTRIES)
    cache.entries.delete(cache.entries.keys().next().value as string);
  cache.entries.set(session.id, { session, cachedUntil: nowMs + SESSION_CACHE_MS });
}

/** Drops one session from this process's cache (it expired or is gone). */
export function forgetSession(db: Kysely<Database>, id: string): void {
  const cache = cacheOf(db);
  cache.evictions++;
  cache.entries.delete(id);
}

/** Drops every cached session of `userId` in this process (the handler of a user's credential change). */
export function forgetUserSessions(db: Kysely<Database>, userId: string): void {
  const cache = cacheOf(db);
  cache.evictions++;
  for (const [id, entry] of cache.entries) if (entry.session.user_id === userId) cache.entries.delete(id);
}
