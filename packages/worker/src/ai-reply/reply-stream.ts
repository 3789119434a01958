import type { CueStripResult } from "@avatar-chat/ai";
import { type AvatarCue, conversationChannel, type RealtimeEvent } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";
import type { ReplyVoice } from "../voice/reply-voice";
import type { Publish } from "./reply-end";

const STREAMED_TTL_S = 24 * 3600;

/**
 * The answer as it streams: each part of the model's text becomes the visitor's events (the first text
 * starts speaking, cues as they come, numbered deltas), the text and the first token's time are kept for
 * the stored reply, and the first part marks the reply as streamed (`marker`) so a retry discards it.
 */
export function createReplyStream(options: {
  redis: Redis;
  clock: () => Date;
  /** When this attempt started (ms): first_token_ms counts from it. */
  started: number;
  conversationId: string;
  replyId: string;
  marker: string;
  publish: Publish;
  voice: ReplyVoice | undefined;
}) {
  const { conversationId, replyId, publish } = options;
  const conversation = conversationChannel(conversationId);
  let deltas = 0;
  let text = "";
  let firstTokenMs: number | null = null;

  const cue = (name: AvatarCue): RealtimeEvent => ({
    type: "avatar.cue",
    conversationId,
    messageId: replyId,
    cue: name,
  });

  return {
    get text() {
      return text;
    },
    /** How many deltas went out. */
    get deltas() {
      return deltas;
    },
    get firstTokenMs() {
      return firstTokenMs;
    },
    async emit(part: CueStripResult) {
      const events: RealtimeEvent[] = [];
      const first = part.text.length > 0 && firstTokenMs === null;
      if (first) {
        firstTokenMs = options.clock().getTime() - options.started;
        events.push(cue("speaking.start"));
      }
      for (const name of part.cues) events.push(cue(name));
      if (part.text) {
        events.push({
          type: "message.delta",
          conversationId,
          messageId: replyId,
          delta: part.text,
          index: deltas++,
        });
        text += part.text;
        options.voice?.push(part.text);
      }
      if (events.length === 0) return;
      // One connection keeps these in order; sending them together saves round trips before the first token.
      await Promise.all([
        first ? options.redis.set(options.marker, "1", "EX", STREAMED_TTL_S) : null,
        ...events.map((event) => publish(conversation, event)),
      ]);
    },
    /** After the last part: the avatar stops speaking (when it started). */
    async end() {
      if (firstTokenMs !== null) await publish(conversation, cue("speaking.stop"));
    },
  };
}
