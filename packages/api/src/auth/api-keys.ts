import { createHash } from "node:crypto";
import type { ApiKeyScope, Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { type CredentialCache, createCredentialCache } from "./credential-cache";
import { hashSecret, randomToken } from "./tokens";

// Keys look like "ack_<prefix>_<secret>": the prefix is shown in lists so a user can tell keys apart;
// only the whole key's SHA-256 is stored, so a key is shown once, at creation.
export const API_KEY_PREFIX = "ack_";

export function generateApiKey(): { key: string; prefix: string; hash: Uint8Array } {
  const prefix = randomToken().slice(0, 8);
  const key = `${API_KEY_PREFIX}${prefix}_${randomToken()}${randomToken()}`;
  return { key, prefix: `${API_KEY_PREFIX}${prefix}`, hash: hashSecret(key) };
}

export interface VerifiedApiKey {
  id: string;
  tenantId: string;
  scopes: ApiKeyScope[];
}

/** Last-used times are written at most once a minute per key, so hot keys do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Verified keys are kept in-process this long, keyed by the key's hash, so a busy integration costs
 * no database read per request. Revoking a key evicts it from this process at once; other api
 * processes stop accepting it within this window. Expiry is checked on every use.
 */
export const API_KEY_CACHE_MS = 5_000;
/**
 * A key in use is re-read this long before its entry lapses, in the background, so a busy integration
 * never waits for the database (and many keys cached at once do not all miss at once).
 */
export const API_KEY_REFRESH_AHEAD_MS = 1_000;
const CACHE_MAX_ENTRIES = 10_000;

interface CachedKey {
  key: VerifiedApiKey;
  expiresAt: number | null;
  refreshing?: boolean;
}

/** Verified keys by the base64 of their hash. */
export type ApiKeyCache = CredentialCache<CachedKey>;

export function createApiKeyCache(): ApiKeyCache {
  return createCredentialCache<CachedKey>({ max: CACHE_MAX_ENTRIES, ttlMs: API_KEY_CACHE_MS });
}

/** Drops a revoked key from this process's cache. */
export function forgetApiKey(cache: ApiKeyCache, keyId: string): void {
  cache.forgetWhere((entry) => entry.key.id === keyId);
}

export async function validateApiKey(
  db: Kysely<Database>,
  cache: ApiKeyCache,
  key: string,
  now: Date,
): Promise<VerifiedApiKey | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  // node:crypto's native SHA-256: this runs on every API-key request (same digest as hashSecret).
  const hash = createHash("sha256").update(key).digest();
  const cacheKey = hash.toString("base64");
  const nowMs = now.getTime();
  const fresh = cache.fresh(cacheKey, nowMs);
  if (fresh) {
    const cached = fresh.value;
    if (!cached.refreshing && fresh.cachedUntil - nowMs <= API_KEY_REFRESH_AHEAD_MS) {
      cached.refreshing = true;
      loadKey(db, cache, hash, cacheKey, now).catch(() => {
        cached.refreshing = false;
      });
    }
    return cached.expiresAt !== null && cached.expiresAt <= nowMs ? null : cached.key;
  }
  return loadKey(db, cache, hash, cacheKey, now);
}

/** Reads a key by its hash and caches it when valid; a revoked, expired or unknown key leaves the cache. */
async function loadKey(
  db: Kysely<Database>,
  cache: ApiKeyCache,
  hash: Buffer,
  cacheKey: string,
  now: Date,
): Promise<VerifiedApiKey | null> {
  const evictions = cache.evictions;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "tenant_id", "scopes", "revoked_at", "expires_at", "last_used_at"])
    .where("key_hash", "=", hash)
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now.getTime())) {
    cache.forget(cacheKey);
    return null;
  }
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  const verified = { id: row.id, tenantId: row.tenant_id, scopes: row.scopes };
  cache.remember(
    cacheKey,
    { key: verified, expiresAt: row.expires_at?.getTime() ?? null },
    now.getTime(),
    evictions,
  );
  return verified;
}
