import type { ApiKeyScope, Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";

// Never select `key_hash` for a caller: lists show the prefix only.
const publicColumns = [
  "id",
  "name",
  "prefix",
  "scopes",
  "created_by",
  "last_used_at",
  "expires_at",
  "revoked_at",
  "created_at",
] as const;

export function insertApiKey(
  db: Kysely<Database>,
  values: {
    tenantId: string;
    name: string;
    prefix: string;
    hash: Uint8Array;
    scopes: ApiKeyScope[];
    createdBy: string | null;
    expiresAt: Date | null;
  },
) {
  return db
    .insertInto("api_keys")
    .values({
      tenant_id: values.tenantId,
      name: values.name,
      prefix: values.prefix,
      key_hash: values.hash,
      scopes: values.scopes,
      created_by: values.createdBy,
      expires_at: values.expiresAt,
    })
    .returning(publicColumns)
    .executeTakeFirstOrThrow();
}

export function listApiKeys(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom("api_keys")
    .select(publicColumns)
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at", "desc")
    .limit(500)
    .execute();
}

export function revokeApiKey(db: Kysely<Database>, tenantId: string, keyId: string, now: Date) {
  return db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", keyId)
    .where("revoked_at", "is", null)
    .returning(["id", "prefix"])
    .executeTakeFirst();
}
