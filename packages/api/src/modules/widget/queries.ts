import type { Database, Tx } from "@avatar-chat/db";
import type { Kysely } from "kysely";

/**
 * A chatbot, its ready avatar file and its tenant's AI provider kind, by public key or id. The widget does not know the tenant yet, so
 * this one lookup runs outside a tenant transaction; everything after it is scoped to the row's tenant.
 */
export function findWidgetChatbot(db: Kysely<Database>, by: { publicKey: string } | { chatbotId: string }) {
  let query = db
    .selectFrom("chatbots as c")
    .leftJoin("avatar_assets as a", (join) =>
      join
        .onRef("a.id", "=", "c.avatar_asset_id")
        .onRef("a.tenant_id", "=", "c.tenant_id")
        .on("a.status", "=", "ready"),
    )
    .leftJoin("ai_settings as s", "s.tenant_id", "c.tenant_id")
    .select([
      "c.id",
      "c.tenant_id",
      "c.name",
      "c.greeting",
      "c.locale",
      "c.theme",
      "c.avatar",
      "c.voice",
      "c.allowed_origins",
      "c.public_key",
      "c.published",
      "a.id as avatar_id",
      "a.format as avatar_format",
      "s.provider as ai_provider",
      "s.api_key_encrypted as ai_key",
    ]);
  query =
    "publicKey" in by
      ? query.where("c.public_key", "=", by.publicKey)
      : query.where("c.id", "=", by.chatbotId);
  return query.executeTakeFirst();
}

export function findVisitor(tx: Tx, tenantId: string, chatbotId: string, visitorId: string) {
  return tx
    .selectFrom("visitors")
    .select(["id"])
    .where("tenant_id", "=", tenantId)
    .where("chatbot_id", "=", chatbotId)
    .where("id", "=", visitorId)
    .executeTakeFirst();
}

export function touchVisitor(tx: Tx, tenantId: string, visitorId: string, now: Date) {
  return tx
    .updateTable("visitors")
    .set({ last_seen_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", visitorId)
    .execute();
}

export function insertVisitor(
  tx: Tx,
  tenantId: string,
  chatbotId: string,
  metadata: Record<string, unknown>,
) {
  return tx
    .insertInto("visitors")
    .values({ tenant_id: tenantId, chatbot_id: chatbotId, metadata: JSON.stringify(metadata) })
    .returning(["id"])
    .executeTakeFirstOrThrow();
}
