import type { Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";

export function findAiSettings(db: Kysely<Database>, tenantId: string) {
  return db.selectFrom("ai_settings").selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
}

export function saveAiSettings(
  db: Kysely<Database>,
  tenantId: string,
  values: {
    provider: "offline" | "openai";
    baseUrl: string | null;
    chatModel: string | null;
    embeddingModel: string | null;
    apiKeyEncrypted: string | null;
  },
  now: Date,
) {
  const row = {
    provider: values.provider,
    base_url: values.baseUrl,
    chat_model: values.chatModel,
    embedding_model: values.embeddingModel,
    api_key_encrypted: values.apiKeyEncrypted,
    updated_at: now,
  };
  return db
    .insertInto("ai_settings")
    .values({ tenant_id: tenantId, ...row })
    .onConflict((oc) => oc.column("tenant_id").doUpdateSet(row))
    .returningAll()
    .executeTakeFirstOrThrow();
}
