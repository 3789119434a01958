import type { Database } from "@avatar-chat/db";
import type { MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import type { Storage } from "../storage";
import { decodedPath } from "./decoded-path";

/** Seconds a redirect target stays valid; browsers follow it at once. */
const SIGNED_URL_SECONDS = 300;

/**
 * `GET /files/<storage key>`: a stable link to a tenant's avatar file, redirecting to a short-lived
 * presigned GET. Only files that a published chatbot shows are served; anything else is a 404.
 */
export function avatarFiles(deps: { db: Kysely<Database>; storage: Storage }): MiddlewareHandler {
  return async (c) => {
    const key = decodedPath(c.req.path.replace(/^\/files\//, ""));
    if (!key || key.length > 300) return c.text("Not found", 404);
    const shown = await deps.db
      .selectFrom("avatar_assets as a")
      .innerJoin("chatbots as b", (join) =>
        join.onRef("b.avatar_asset_id", "=", "a.id").onRef("b.tenant_id", "=", "a.tenant_id"),
      )
      .select("a.id")
      .where("a.storage_key", "=", key)
      .where("a.status", "=", "ready")
      .where("b.published", "=", true)
      .limit(1)
      .executeTakeFirst();
    if (!shown) return c.text("Not found", 404);
    const url = await deps.storage.presignGet(key, SIGNED_URL_SECONDS);
    c.header("cache-control", `public, max-age=${SIGNED_URL_SECONDS - 60}`);
    c.header("access-control-allow-origin", "*");
    return c.redirect(url, 302);
  };
}
