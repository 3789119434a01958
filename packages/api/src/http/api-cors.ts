import type { MiddlewareHandler } from "hono";

export interface ApiCorsOptions {
  /** Origins whose requests may carry the session cookie (the dashboard's). */
  credentialOrigins: readonly string[];
  allowHeaders: readonly string[];
  allowMethods: readonly string[];
  maxAgeSeconds: number;
}

/**
 * CORS for the tRPC endpoint. Any origin may call with a bearer token (a tenant's site running the
 * widget, whose procedures check that origin against the chatbot); only the dashboard's origins are
 * told they may send credentials, so no other site can ride a signed-in user's cookie.
 * Headers go onto the handler's response after it returns: touching `c.res` before the handler would
 * make Hono rebuild the response (and its body stream) on every request.
 */
export function apiCors(options: ApiCorsOptions): MiddlewareHandler {
  const preflight = {
    "access-control-allow-methods": options.allowMethods.join(","),
    "access-control-allow-headers": options.allowHeaders.join(","),
    "access-control-max-age": String(options.maxAgeSeconds),
  };
  return async (c, next) => {
    const origin = c.req.header("origin");
    const grant = corsGrant(origin, options.credentialOrigins);
    if (c.req.method === "OPTIONS") {
      return c.body(null, 204, { ...preflight, ...grant, vary: "Origin, Access-Control-Request-Headers" });
    }
    await next();
    const headers = c.res.headers;
    headers.append("vary", "Origin");
    for (const name in grant) headers.set(name, grant[name]!);
  };
}

/** The CORS headers granting `origin` (none for a same-origin request). */
export function corsGrant(
  origin: string | undefined,
  credentialOrigins: readonly string[],
): Record<string, string> {
  if (!origin) return {};
  return credentialOrigins.includes(origin)
    ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" }
    : { "access-control-allow-origin": origin };
}
