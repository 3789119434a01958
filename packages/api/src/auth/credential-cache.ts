import { LRUCache } from "lru-cache";

/**
 * Credentials (API keys, sessions) checked in the last few seconds, kept in this process's memory so a
 * request costs no database read for them. Built once per process by its composition root and passed
 * to every check; the credential-change channel evicts from it (credential-changes.ts).
 */
export interface CredentialCache<V> {
  /** The value cached under `key` and when it lapses, while `nowMs` is before that. */
  fresh(key: string, nowMs: number): { value: V; cachedUntil: number } | undefined;
  /** Bumped by every `forgetWhere`: pass the count read before a database read to `remember`. */
  readonly evictions: number;
  /** Caches a value read when `evictionsBefore` was current, unless a credential changed since. */
  remember(key: string, value: V, nowMs: number, evictionsBefore: number): void;
  /** Drops an entry its reader found no longer valid (expired, gone); every use checks validity anyway. */
  forget(key: string): void;
  /** Evicts on a credential change (revoked, signed out): a read begun before it must not put one back. */
  forgetWhere(test: (value: V) => boolean): void;
}

export function createCredentialCache<V extends object>(options: {
  max: number;
  ttlMs: number;
}): CredentialCache<V> {
  // lru-cache bounds the entries; the lifetime is kept beside each value rather than by lru-cache's ttl,
  // since every check passes its own `now` (the request's clock), which tests move at will.
  const entries = new LRUCache<string, { value: V; cachedUntil: number }>({ max: options.max });
  let evictions = 0;
  return {
    fresh(key, nowMs) {
      const entry = entries.get(key);
      return entry && entry.cachedUntil > nowMs ? entry : undefined;
    },
    get evictions() {
      return evictions;
    },
    remember(key, value, nowMs, evictionsBefore) {
      if (evictions === evictionsBefore) entries.set(key, { value, cachedUntil: nowMs + options.ttlMs });
    },
    forget(key) {
      entries.delete(key);
    },
    forgetWhere(test) {
      evictions++;
      const gone: string[] = [];
      for (const [key, entry] of entries.entries()) if (test(entry.value)) gone.push(key);
      for (const key of gone) entries.delete(key);
    },
  };
}
