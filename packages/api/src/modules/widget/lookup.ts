import type { AppDeps } from "../../deps";
import { avatarFileUrl } from "../../http/avatar-files";
import type { CachedChatbot } from "./config-cache";
import { findWidgetChatbot } from "./queries";
import { widgetConfigFrom } from "./rules";

/** A chatbot for the widget's hot paths: from this node's cache when fresh, else one query (then cached). */
export async function widgetChatbot(
  deps: AppDeps,
  by: { publicKey: string } | { chatbotId: string },
): Promise<CachedChatbot | null> {
  const cache = deps.widgetCache;
  const hit = "publicKey" in by ? cache.byPublicKey.get(by.publicKey) : cache.byChatbotId.get(by.chatbotId);
  if (hit) return hit;
  const row = await findWidgetChatbot(deps.db, by);
  if (!row) return null;
  // The api's own link, not a presigned one: a bucket key names the tenant, and the config is public.
  const avatarUrl =
    row.avatar_id && row.avatar_format
      ? avatarFileUrl(deps.config.publicUrl, { id: row.avatar_id, format: row.avatar_format })
      : null;
  const chatbot: CachedChatbot = {
    id: row.id,
    tenantId: row.tenant_id,
    publicKey: row.public_key,
    published: row.published,
    allowedOrigins: row.allowed_origins,
    config: widgetConfigFrom(row, avatarUrl, { provider: row.ai_provider, hasKey: row.ai_key !== null }),
  };
  cache.remember(chatbot);
  return chatbot;
}
