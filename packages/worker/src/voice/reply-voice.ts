import { randomBytes } from "node:crypto";
import {
  createSentenceStream,
  type Provider,
  type Speak,
  type SpokenAudio,
  speakableText,
  voiceSpeaker,
} from "@avatar-chat/ai";
import { type Database, readInTenant } from "@avatar-chat/db";
import {
  AUDIO_TTL_S,
  conversationChannel,
  DEFAULT_VOICE,
  type RealtimeEvent,
  voiceAudioKey,
  voiceSettingsSchema,
} from "@avatar-chat/protocol";
import type { Logger } from "@avatar-chat/telemetry";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";

// Speaks a reply as it streams: each finished sentence is synthesised (espeak-ng, or the tenant's
// provider), its audio put in Redis for AUDIO_TTL_S under a random id, and a `voice.audio` event
// published on the conversation's channel, in sentence order. The event travels like every other
// one (capped stream, resume by id), so a reconnecting widget gets exactly the sentences it missed.

export interface ReplyVoice {
  /** Streamed answer text (cues already stripped). */
  push(text: string): void;
  /** The answer is complete: speaks what is left and resolves when every sentence is published. */
  finish(): Promise<void>;
  /** The answer stopped or failed: nothing more is spoken. */
  cancel(): void;
}

export interface ReplyToSpeak {
  tenantId: string;
  chatbotId: string;
  conversationId: string;
  replyId: string;
  publish(channel: string, event: RealtimeEvent): Promise<unknown>;
}

export type StartReplyVoice = (reply: ReplyToSpeak) => ReplyVoice;

export interface ReplyVoiceDeps {
  db: Kysely<Database>;
  redis: Redis;
  prefix: string;
  logger: Logger;
  providerFor: (tenantId: string) => Provider | Promise<Provider>;
  /** Whether espeak-ng runs on this machine (checked once at start). */
  offlineVoice: Promise<boolean>;
}

/** Checks for espeak-ng once and says clearly when the offline voice is off. */
export function checkOfflineVoice(available: Promise<boolean>, logger: Logger): Promise<boolean> {
  return available.then((yes) => {
    if (!yes)
      logger.warn(
        "voice: espeak-ng is not installed, so chatbots with the offline voice answer in text only (install Debian's espeak-ng package)",
      );
    return yes;
  });
}

export function replyVoiceStarter(deps: ReplyVoiceDeps): StartReplyVoice {
  return (reply) => {
    const controller = new AbortController();
    const sentences = createSentenceStream();
    const settings = readInTenant(deps.db, reply.tenantId, (tx) =>
      tx
        .selectFrom("chatbots")
        .select(["voice", "locale"])
        .where("tenant_id", "=", reply.tenantId)
        .where("id", "=", reply.chatbotId)
        .executeTakeFirst(),
    );
    const speak = settings.then((row) => speakerFor(deps, reply.tenantId, row));
    speak.catch(() => {});
    let published = 0;
    let chain: Promise<void> = Promise.resolve();

    const say = (sentence: string) => {
      const text = speakableText(sentence);
      if (!/[\p{L}\p{N}]/u.test(text)) return;
      // Synthesis runs one sentence at a time per reply, in order: the next one is ready while this plays.
      chain = chain.then(async () => {
        const voice = await speak;
        if (!voice || controller.signal.aborted) return;
        try {
          const audio = await voice(text, controller.signal);
          if (controller.signal.aborted) return;
          await publishAudio(deps, reply, published, text, audio);
          published++;
        } catch (error) {
          if (controller.signal.aborted) return;
          // One sentence without audio: the widget shows the text and the next sentence still plays.
          deps.logger.warn({ replyId: reply.replyId, err: error }, "voice: a sentence could not be spoken");
        }
      });
    };

    return {
      push(text) {
        for (const sentence of sentences.push(text)) say(sentence);
      },
      async finish() {
        for (const sentence of sentences.flush()) say(sentence);
        await chain;
      },
      cancel() {
        controller.abort();
      },
    };
  };
}

async function speakerFor(
  deps: ReplyVoiceDeps,
  tenantId: string,
  row: { voice: unknown; locale: string } | undefined,
): Promise<Speak | null> {
  if (!row) return null;
  const parsed = voiceSettingsSchema.safeParse(row.voice);
  return voiceSpeaker(parsed.success ? parsed.data : DEFAULT_VOICE, {
    locale: row.locale,
    provider: () => deps.providerFor(tenantId),
    offlineVoice: deps.offlineVoice,
  });
}

async function publishAudio(
  deps: ReplyVoiceDeps,
  reply: ReplyToSpeak,
  index: number,
  text: string,
  spoken: SpokenAudio,
): Promise<void> {
  const audioId = randomBytes(18).toString("base64url");
  await deps.redis
    .multi()
    .hset(voiceAudioKey(deps.prefix, audioId), {
      type: spoken.contentType,
      audio: Buffer.from(spoken.audio),
    })
    .expire(voiceAudioKey(deps.prefix, audioId), AUDIO_TTL_S)
    .exec();
  await reply.publish(conversationChannel(reply.conversationId), {
    type: "voice.audio",
    conversationId: reply.conversationId,
    messageId: reply.replyId,
    index,
    audioId,
    contentType: spoken.contentType,
    text,
  });
}
