import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../../deps";
import { type CachedChatbot, widgetCache } from "./config-cache";

/**
 * Browsers may reuse a published chatbot's config across a site's page views for this long; a change
 * reaches visitors within it (unpublishing included). Unpublished configs (dashboard preview) are
 * never marked cacheable.
 */
export const PUBLIC_CONFIG_CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=300";

// tRPC's wire format for a query result (no transformer), kept beside the cached chatbot it was made
// from: a change to the chatbot replaces the cache entry and with it this text.
const serialized = new WeakMap<CachedChatbot, string>();

export function configResponseBody(chatbot: CachedChatbot): string {
  let body = serialized.get(chatbot);
  if (body === undefined) {
    body = JSON.stringify({ result: { data: chatbot.config } });
    serialized.set(chatbot, body);
  }
  return body;
}

/**
 * `widget.config` is what every page view of a tenant's site asks for. A published chatbot's answer is
 * the same for every caller, so while its chatbot is in this node's cache it is answered here, byte for
 * byte as the procedure would, without entering tRPC. Anything else (a miss, an unpublished chatbot, a
 * batch, malformed input) goes on to the procedure, which validates, answers and fills the cache.
 */
export function widgetConfigFromCache(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const input = c.req.query("input");
    if (input === undefined || c.req.query("batch") !== undefined) return next();
    let publicKey: unknown;
    try {
      publicKey = (JSON.parse(input) as { publicKey?: unknown } | null)?.publicKey;
    } catch {
      return next();
    }
    const chatbot = typeof publicKey === "string" ? widgetCache(deps).byPublicKey.get(publicKey) : undefined;
    if (!chatbot?.published) return next();
    return c.body(configResponseBody(chatbot), 200, {
      "content-type": "application/json",
      "cache-control": PUBLIC_CONFIG_CACHE_CONTROL,
      // As tRPC answers: the response format may depend on these request headers.
      vary: "trpc-accept, accept",
    });
  };
}
