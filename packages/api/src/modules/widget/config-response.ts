import type { MiddlewareHandler } from "hono";
import type { AppDeps } from "../../deps";
import { directResponse } from "../../http/direct-response";
import { TRPC_VARY } from "../../http/trpc-query";
import type { CachedChatbot, WidgetCache } from "./config-cache";

/**
 * Browsers may reuse a published chatbot's config across a site's page views for this long; a change
 * reaches visitors within it (unpublishing included). Unpublished configs (dashboard preview) are
 * never marked cacheable.
 */
export const PUBLIC_CONFIG_CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=300";

/** tRPC's wire format for a query result (no transformer), made once per cached chatbot. */
export function configResponseBody(cache: WidgetCache, chatbot: CachedChatbot): string {
  let body = cache.configBodies.get(chatbot);
  if (body === undefined) {
    body = JSON.stringify({ result: { data: chatbot.config } });
    cache.configBodies.set(chatbot, body);
  }
  return body;
}

/**
 * `widget.config` is what every page view of a tenant's site asks for. A published chatbot's answer is
 * the same for every caller, so while its chatbot is in this node's cache it is answered here, byte for
 * byte and header for header as the procedure and the app's middleware would, without entering them
 * (registered before them). Anything else (a miss, an unpublished chatbot, a batch, a stream request,
 * malformed input) goes on through the middleware to the procedure, which validates, answers and fills
 * the cache.
 */
export function widgetConfigFromCache(deps: AppDeps): MiddlewareHandler {
  const headers = {
    "content-type": "application/json",
    "cache-control": PUBLIC_CONFIG_CACHE_CONTROL,
    vary: TRPC_VARY,
  };
  return async (c, next) => {
    const query = c.req.query();
    const input = query.input;
    if (input === undefined || query.batch !== undefined || c.req.header("trpc-accept") !== undefined)
      return next();
    let publicKey: unknown;
    try {
      publicKey = (JSON.parse(input) as { publicKey?: unknown } | null)?.publicKey;
    } catch {
      return next();
    }
    const chatbot = typeof publicKey === "string" ? deps.widgetCache.byPublicKey.get(publicKey) : undefined;
    if (!chatbot?.published) return next();
    return directResponse(configResponseBody(deps.widgetCache, chatbot), 200, headers, {
      origin: c.req.header("origin"),
      credentialOrigins: deps.config.dashboardOrigins,
    });
  };
}
