import type { AnyTRPCRouter } from "@trpc/server";
import {
  callProcedure,
  getErrorShape,
  getHTTPStatusCodeFromError,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";
import type { Context as HonoContext, MiddlewareHandler } from "hono";
import { directResponse, type HeaderRecord } from "./direct-response";

/** What tRPC answers in `Vary`: the format of an answer may depend on these request headers. */
export const TRPC_VARY = "trpc-accept, accept";

/** What a procedure may set on its answer (cookies, `Retry-After`, `Cache-Control`). */
export type ResponseHeaders = Pick<Headers, "set" | "append">;

/** A procedure's response headers, kept as the plain record `directResponse` takes. */
class RecordedHeaders implements ResponseHeaders {
  readonly record: HeaderRecord = {};
  set(name: string, value: string) {
    this.record[name.toLowerCase()] = value;
  }
  append(name: string, value: string) {
    const key = name.toLowerCase();
    const before = this.record[key];
    // As fetch's Headers: cookies stay separate, other repeated headers are joined.
    this.record[key] =
      before === undefined ? value : key === "set-cookie" ? [before, value].flat() : `${before}, ${value}`;
  }
}

/**
 * tRPC's HTTP protocol for its most common request — one query, `GET /trpc/<path>?input=<json>`, no
 * batch, no stream — answered without building a fetch Request and Response around the call (a third of
 * a cached read's CPU time). It runs the same procedure with the same context, error formatter and wire
 * format, and is registered ahead of the app's middleware, whose headers `directResponse` adds. Anything
 * else (batches, mutations, streams, unknown paths, unparsable input) goes on through the middleware to
 * tRPC's fetch adapter, which also produces every protocol error.
 */
export function trpcQueryHandler<TContext extends object>(options: {
  router: AnyTRPCRouter;
  createContext: (c: HonoContext, resHeaders: ResponseHeaders) => TContext;
  onError: (error: { code: string; cause?: unknown }, path: string) => void;
  credentialOrigins: readonly string[];
}): MiddlewareHandler {
  const { router } = options;
  const config = router._def._config;
  return async (c, next) => {
    if (c.req.header("trpc-accept") !== undefined) return next();
    const path = c.req.path.slice("/trpc/".length);
    const url = c.req.url;
    const query = url.indexOf("?");
    const params = new URLSearchParams(query < 0 ? "" : url.slice(query + 1));
    if (params.has("batch")) return next();
    const procedure = await getProcedureAtPath(router, path);
    if (!procedure || procedure._def.type !== "query") return next();
    const rawInput = params.get("input");
    let input: unknown;
    try {
      input = rawInput === null ? undefined : JSON.parse(rawInput);
    } catch {
      return next();
    }
    const resHeaders = new RecordedHeaders();
    const ctx = options.createContext(c, resHeaders);
    let status = 200;
    let body: unknown;
    try {
      const data = await callProcedure({
        router,
        path,
        getRawInput: async () => input,
        ctx,
        type: "query",
        signal: undefined,
        batchIndex: 0,
      });
      // What transformTRPCResponse makes of a single result, without its copies of the envelope.
      body = { result: { data: config.transformer.output.serialize(data) } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError(error, path);
      status = getHTTPStatusCodeFromError(error);
      body = transformTRPCResponse(config, {
        error: getErrorShape({ config, error, type: "query", path, input, ctx }),
      });
    }
    resHeaders.set("content-type", "application/json");
    resHeaders.set("vary", TRPC_VARY);
    return directResponse(JSON.stringify(body), status, resHeaders.record, {
      origin: c.req.header("origin"),
      credentialOrigins: options.credentialOrigins,
    });
  };
}
