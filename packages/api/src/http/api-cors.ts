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
    const withCredentials = origin !== undefined && options.credentialOrigins.includes(origin);
    if (c.req.method === "OPTIONS") {
      const headers: Record<string, string> = {
        ...preflight,
        vary: "Origin, Access-Control-Request-Headers",
      };
      if (origin) headers["access-control-allow-origin"] = origin;
      if (withCredentials) headers["access-control-allow-credentials"] = "true";
      return c.body(null, 204, headers);
    }
    await next();
    const headers = c.res.headers;
    headers.append("vary", "Origin");
    if (!origin) return;
    headers.set("access-control-allow-origin", origin);
    if (withCredentials) headers.set("access-control-allow-credentials", "true");
  };
}
