import type { ApiKeyScope, Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";
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

export async function validateApiKey(
  db: Kysely<Database>,
  key: string,
  now: Date,
): Promise<VerifiedApiKey | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "tenant_id", "scopes", "revoked_at", "expires_at", "last_used_at"])
    .where("key_hash", "=", hashSecret(key))
    .executeTakeFirst();
  if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now.getTime())) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
  }
  return { id: row.id, tenantId: row.tenant_id, scopes: row.scopes };
}
