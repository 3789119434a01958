import { AUDIO_ID, audioContentTypes, voiceAudioKey } from "@avatar-chat/protocol";
import type { MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";

/**
 * `GET /voice/<audioId>`: one spoken sentence of a reply, as the worker put it in Redis (it expires
 * there after AUDIO_TTL_S). The random id is the capability: it travels only in the `voice.audio`
 * event on the conversation's channel, which only that visitor and the tenant's members may join.
 * Any origin may read it (widgets run on the tenant's sites; no cookie or token is involved), and it
 * is never cached by shared caches.
 */
export function voiceAudio(deps: { redis: Redis; config: { redisPrefix: string } }): MiddlewareHandler {
  return async (c) => {
    const id = c.req.param("id") ?? "";
    if (!AUDIO_ID.test(id)) return c.text("Not found", 404);
    const [type, audio] = await deps.redis.hmgetBuffer(
      voiceAudioKey(deps.config.redisPrefix, id),
      "type",
      "audio",
    );
    const contentType = type?.toString();
    if (!audio || !contentType || !(audioContentTypes as readonly string[]).includes(contentType))
      return c.text("Not found", 404);
    c.header("access-control-allow-origin", "*");
    c.header("cache-control", "private, max-age=300");
    c.header("x-content-type-options", "nosniff");
    c.header("content-type", contentType);
    c.header("content-length", String(audio.byteLength));
    return c.body(new Uint8Array(audio));
  };
}
