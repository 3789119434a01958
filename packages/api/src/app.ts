import { type ClientAddressOf, clientAddressResolver } from "@avatar-chat/config";
import { getConnInfo } from "@hono/node-server/conninfo";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono, type Context as HonoContext } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BATCH_CALLS } from "./client";
import type { AppDeps } from "./deps";
import { apiCors } from "./http/api-cors";
import { appErrorHandler } from "./http/app-errors";
import { avatarFiles } from "./http/avatar-files";
import { batchLimit } from "./http/batch-limit";
import { healthRoutes } from "./http/health";
import { securityHeaders } from "./http/security-headers";
import { trpcErrorBody } from "./http/trpc-error-response";
import { type ResponseHeaders, trpcQueryHandler } from "./http/trpc-query";
import { voiceAudio } from "./http/voice-audio";
import { widgetFiles } from "./http/widget-files";
import { MAX_RECORDING_BYTES, voiceInputRoute } from "./modules/conversation";
import { widgetConfigFromCache } from "./modules/widget/config-response";
import { appRouter } from "./root";
import type { Context } from "./trpc";

function connectionIp(c: Parameters<typeof getConnInfo>[0], clientAddressOf: ClientAddressOf): string | null {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    return null; // not served by @hono/node-server (tests calling app.request)
  }
  return clientAddressOf(peer, c.req.header("x-forwarded-for"));
}

/** The api's composition root: every route and procedure gets its dependencies from `deps`. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  const { config } = deps;
  app.onError(appErrorHandler(deps));
  const clientAddressOf = clientAddressResolver(config.trustedProxies ?? []);

  const contextFor = (c: HonoContext, resHeaders: ResponseHeaders): Context => ({
    deps,
    request: {
      ip: connectionIp(c, clientAddressOf),
      origin: c.req.header("origin") ?? null,
      userAgent: c.req.header("user-agent") ?? null,
      authorization: c.req.header("authorization") ?? null,
      cookie: c.req.header("cookie") ?? null,
    },
    resHeaders,
  });
  // Internal failures keep their detail in the logs; the caller gets a plain sentence (errorFormatter).
  const onError = (error: { code: string; cause?: unknown }, path: string | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR")
      deps.logger.error({ path, err: error.cause ?? error }, "procedure failed");
  };

  // First, ahead of the middleware: a hot widget.config and single queries answer with every header the
  // middleware below would add (directResponse); whatever they pass on goes through it.
  app.get("/trpc/widget.config", widgetConfigFromCache(deps));
  app.get(
    "/trpc/*",
    trpcQueryHandler({
      router: appRouter,
      createContext: contextFor,
      onError,
      credentialOrigins: config.dashboardOrigins,
    }),
  );
  app.use("*", securityHeaders());
  app.use(
    "/trpc/*",
    apiCors({
      credentialOrigins: config.dashboardOrigins,
      allowHeaders: ["content-type", "authorization", "x-trpc-source", "trpc-accept"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      maxAgeSeconds: 600,
    }),
  );
  const limitBody = bodyLimit({
    maxSize: config.maxBodyBytes,
    onError: (c) =>
      c.json(
        trpcErrorBody("PAYLOAD_TOO_LARGE", 413, `Request body is larger than ${config.maxBodyBytes} bytes.`),
        413,
      ),
  });
  app.use("/trpc/*", batchLimit({ maxCalls: MAX_BATCH_CALLS }));
  // Queries are GETs without a body: they skip the limiter, which would build the full Request to look.
  app.use("/trpc/*", (c, next) => (c.req.method === "GET" ? next() : limitBody(c, next)));

  app.route("/", healthRoutes(deps));

  app.get("/widget/*", widgetFiles({ dir: deps.widgetDir }));
  app.get("/avatars/:file", avatarFiles(deps));
  app.get("/voice/:id", voiceAudio(deps));
  app.use(
    "/voice-input/*",
    apiCors({
      credentialOrigins: config.dashboardOrigins,
      allowHeaders: ["content-type", "authorization"],
      allowMethods: ["POST", "OPTIONS"],
      maxAgeSeconds: 600,
    }),
  );
  app.use(
    "/voice-input/*",
    bodyLimit({
      maxSize: MAX_RECORDING_BYTES,
      onError: (c) =>
        c.json(trpcErrorBody("PAYLOAD_TOO_LARGE", 413, "A recording may be at most 2 MB."), 413),
    }),
  );
  app.post("/voice-input/:conversationId", voiceInputRoute(deps, contextFor));

  app.all("/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      allowMethodOverride: false,
      onError: ({ error, path }) => onError(error, path),
      createContext: ({ resHeaders }) => contextFor(c, resHeaders),
    }),
  );

  return app;
}
