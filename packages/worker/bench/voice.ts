import { type Provider, speakWithEspeak } from "@avatar-chat/ai";
import { startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { voiceAudioKey } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import { type Figures, figure, percentile, type Suite } from "../../../bench/figures";
import { processAiReply } from "../src/ai-reply/process-reply";
import { replyVoiceStarter, type StartReplyVoice } from "../src/voice/reply-voice";
import {
  addUserMessage,
  attempt,
  randomPrefix,
  seedConversation,
  testRedis,
  testServerProvider,
} from "../test/fixtures";

const RUNS = 15;
const FIRST = "The store opens at nine in the morning on weekdays.";
const ANSWER = `${FIRST} On Saturdays it opens at ten and closes at four.`;

/** Streams ANSWER a few characters at a time with a pause per delta, as a model would. */
const model: Provider = {
  kind: "offline",
  async *streamChat() {
    for (let i = 0; i < ANSWER.length; i += 4) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield { type: "delta", text: ANSWER.slice(i, i + 4) };
    }
    yield { type: "finish", reason: "stop", usage: { promptTokens: 1, completionTokens: 1 } };
  },
  embed: async (texts) => texts.map(() => new Array(256).fill(0.1)),
  testConnection: async () => {},
};

/**
 * voice.first_audio_ms: from the publication of the delta that ends the answer's first sentence to its
 * audio being ready for the visitor (the voice.audio event published, its bytes in Redis), in the worker,
 * offline (espeak-ng) and through the provider (the OpenAI-protocol test server, whose speech is
 * espeak-ng too). Network to the browser and decoding there are not included. Baseline: espeak-ng
 * speaking the same sentence on its own.
 */
const suite: Suite = {
  name: "voice",
  measures: [
    "packages/worker/src/voice",
    "packages/ai/src/voice",
    "packages/ai/src/provider",
    "packages/protocol",
  ],
  async run(): Promise<Figures> {
    const db = await createTestDatabase();
    const redis = testRedis();
    const prefix = randomPrefix();
    const server = await startOpenAIServer();
    const speaker = testServerProvider(server.url);
    try {
      const firstAudio = async (provider: "offline" | "ai") => {
        const runs: number[] = [];
        const providerFor = () => ({ ...model, speak: speaker.speak!.bind(speaker) });
        const startVoice = replyVoiceStarter({
          db: db.kysely,
          redis,
          prefix,
          logger: silentLogger,
          providerFor,
          offlineVoice: Promise.resolve(true),
        });
        for (let run = 0; run < RUNS; run++) {
          const seeded = await seedConversation(db.kysely);
          await db.kysely
            .updateTable("chatbots")
            .set({ voice: JSON.stringify({ provider, voice: "", speed: 1 }) })
            .where("id", "=", seeded.chatbotId)
            .execute();
          const messageId = await addUserMessage(db.kysely, seeded, "When do you open?");
          let text = "";
          let sentenceEnded: number | null = null;
          let audioReady: number | null = null;
          const voice: StartReplyVoice = (reply) => {
            const inner = startVoice({
              ...reply,
              publish: async (channel, event) => {
                await reply.publish(channel, event);
                if (event.type === "voice.audio" && event.index === 0) {
                  await redis.hgetBuffer(voiceAudioKey(prefix, event.audioId), "audio");
                  audioReady = performance.now();
                }
              },
            });
            return {
              ...inner,
              push(delta) {
                text += delta;
                // The sentence is known to be over when the white space after its period arrives.
                if (sentenceEnded === null && text.length > FIRST.length) sentenceEnded = performance.now();
                inner.push(delta);
              },
            };
          };
          await processAiReply(
            {
              db: db.kysely,
              redis,
              prefix,
              providerFor,
              clock: () => new Date(),
              logger: silentLogger,
              timeoutMs: 60_000,
              voice,
            },
            attempt({ ...seeded, messageId, voice: true }),
          );
          if (sentenceEnded !== null && audioReady !== null) runs.push(audioReady - sentenceEnded);
        }
        return runs.sort((a, b) => a - b);
      };
      const offline = await firstAudio("offline");
      const viaProvider = await firstAudio("ai");
      const alone: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        await speakWithEspeak(FIRST, { voice: "en", speed: 1 });
        alone.push(performance.now() - started);
      }
      const espeak = percentile(
        alone.sort((a, b) => a - b),
        50,
      );
      const note = (how: string) =>
        `end of the first sentence's text in the worker → its audio ready for the visitor (voice.audio published, bytes in Redis), ${how}, median of ${RUNS}; baseline: espeak-ng speaking that sentence alone`;
      return {
        "voice.first_audio_ms": figure(
          percentile(offline, 50),
          "ms",
          note("offline voice (espeak-ng)"),
          espeak,
        ),
        "voice.first_audio_provider_ms": figure(
          percentile(viaProvider, 50),
          "ms",
          note("provider voice via the OpenAI-protocol test server's /v1/audio/speech (espeak-ng behind it)"),
          espeak,
        ),
      };
    } finally {
      await server.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await db.drop();
    }
  },
};

export default suite;
