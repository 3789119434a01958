import type { Database } from "@avatar-chat/db";
import type { MiddlewareHandler } from "hono";
import { type Kysely, sql } from "kysely";
import type { Storage } from "../storage";

/** Browsers and caches may keep a file this long: a new upload is a new asset id, so a new URL. */
const CACHE_SECONDS = 3600;
const AVATAR_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(glb|vrm)$/;

/** The public link to an avatar file: names the asset only, never its tenant or storage key. */
export function avatarFileUrl(publicUrl: string, asset: { id: string; format: string }): string {
  return `${publicUrl}/avatars/${asset.id}.${asset.format}`;
}

/**
 * `GET /avatars/<assetId>.<glb|vrm>`: a ready avatar file, streamed from storage by the api, so no
 * public URL names a tenant or a bucket key. The random asset id is the capability (the widget config
 * and the tenant's own members are the only ones told it). The file must still be the version confirmed
 * (its ETag), so re-using an upload URL after `avatar.confirm` cannot swap what the widgets show.
 * Browsers may read it cross-origin from the dashboard and from the allowed origins of a published
 * chatbot showing it.
 */
export function avatarFiles(deps: {
  db: Kysely<Database>;
  storage: Storage;
  config: { dashboardOrigins: readonly string[] };
}): MiddlewareHandler {
  return async (c) => {
    const match = AVATAR_FILE.exec(c.req.param("file") ?? "");
    if (!match) return c.text("Not found", 404);
    const [, id, format] = match;
    const asset = await deps.db
      .selectFrom("avatar_assets")
      .select(["storage_key", "content_type", "checksum", "format"])
      .where("id", "=", id!)
      .where("status", "=", "ready")
      .executeTakeFirst();
    if (!asset || asset.format !== format) return c.text("Not found", 404);

    const origin = c.req.header("origin");
    c.header("vary", "Origin");
    if (origin && (await mayRead(deps, id!, origin))) c.header("access-control-allow-origin", origin);
    c.header("cache-control", `public, max-age=${CACHE_SECONDS}`);
    c.header("x-content-type-options", "nosniff");
    if (asset.checksum) {
      c.header("etag", asset.checksum);
      if (c.req.header("if-none-match") === asset.checksum) return c.body(null, 304);
    }
    const file = await deps.storage.open(asset.storage_key, { ifMatch: asset.checksum });
    // Changed since it was confirmed: not the file the tenant checked in, so not served.
    if (file === "missing" || file === "changed") return c.text("Not found", 404);
    c.header("content-type", asset.content_type);
    c.header("content-length", String(file.size));
    return c.body(file.body);
  };
}

async function mayRead(
  deps: { db: Kysely<Database>; config: { dashboardOrigins: readonly string[] } },
  assetId: string,
  origin: string,
): Promise<boolean> {
  if (deps.config.dashboardOrigins.includes(origin)) return true;
  const showing = await deps.db
    .selectFrom("chatbots")
    .select("id")
    .where("avatar_asset_id", "=", assetId)
    .where("published", "=", true)
    .where(sql<boolean>`${origin} = any(allowed_origins)`)
    .limit(1)
    .executeTakeFirst();
  return showing !== undefined;
}
