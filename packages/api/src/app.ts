import { getConnInfo } from "@hono/node-server/conninfo";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./deps";
import { avatarFiles } from "./http/avatar-files";
import { trpcErrorBody } from "./http/trpc-error-response";
import { widgetFiles } from "./http/widget-files";
import { appRouter } from "./root";
import type { RequestInfo } from "./trpc";

function connectionIp(c: Parameters<typeof getConnInfo>[0]): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // not served by @hono/node-server (tests calling app.request)
  }
}

/** The api's composition root: every route and procedure gets its dependencies from `deps`. */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  const { config } = deps;

  app.use("*", requestId());
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));

  // The dashboard may send cookies; any other origin (a tenant's site running the widget) may call
  // with a bearer token only, and the widget's procedures check that origin against the chatbot.
  app.use(
    "/trpc/*",
    cors({
      origin: (origin) => origin || "",
      credentials: true,
      allowHeaders: ["content-type", "authorization", "x-trpc-source", "trpc-accept"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      maxAge: 600,
    }),
  );
  app.use("/trpc/*", async (c, next) => {
    await next();
    const origin = c.req.header("origin");
    if (origin && !config.dashboardOrigins.includes(origin))
      c.res.headers.delete("Access-Control-Allow-Credentials");
  });
  app.use(
    "/trpc/*",
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        c.json(
          trpcErrorBody(
            "PAYLOAD_TOO_LARGE",
            413,
            `Request body is larger than ${config.maxBodyBytes} bytes.`,
          ),
          413,
        ),
    }),
  );

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    try {
      await Promise.all([deps.db.selectNoFrom((eb) => eb.lit(1).as("one")).execute(), deps.redis.ping()]);
      return c.json({ ok: true });
    } catch {
      return c.json({ ok: false }, 503);
    }
  });

  app.get("/widget/*", widgetFiles({ dir: deps.widgetDir }));
  app.get("/files/*", avatarFiles(deps));

  app.all("/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      allowMethodOverride: false,
      createContext: ({ resHeaders }) => {
        const request: RequestInfo = {
          ip: connectionIp(c),
          origin: c.req.header("origin") ?? null,
          userAgent: c.req.header("user-agent") ?? null,
          authorization: c.req.header("authorization") ?? null,
          cookie: c.req.header("cookie") ?? null,
        };
        return { deps, request, resHeaders };
      },
    }),
  );

  return app;
}
