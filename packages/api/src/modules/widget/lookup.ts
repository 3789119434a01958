import type { AppDeps } from "../../deps";
import { type CachedChatbot, widgetCache } from "./config-cache";
import { findWidgetChatbot } from "./queries";
import { widgetConfigFrom } from "./rules";

/** Presigned avatar links outlive the cache entry that holds them by far. */
const AVATAR_URL_TTL_SECONDS = 3600;

/** A chatbot for the widget's hot paths: from this node's cache when fresh, else one query (then cached). */
export async function widgetChatbot(
  deps: AppDeps,
  by: { publicKey: string } | { chatbotId: string },
): Promise<CachedChatbot | null> {
  const cache = widgetCache(deps);
  const hit = "publicKey" in by ? cache.byPublicKey.get(by.publicKey) : cache.byChatbotId.get(by.chatbotId);
  if (hit) return hit;
  const row = await findWidgetChatbot(deps.db, by);
  if (!row) return null;
  const avatarUrl = row.avatar_storage_key
    ? await deps.storage.presignGet(row.avatar_storage_key, AVATAR_URL_TTL_SECONDS)
    : null;
  const chatbot: CachedChatbot = {
    id: row.id,
    tenantId: row.tenant_id,
    publicKey: row.public_key,
    published: row.published,
    allowedOrigins: row.allowed_origins,
    config: widgetConfigFrom(row, avatarUrl),
  };
  cache.remember(chatbot);
  return chatbot;
}
