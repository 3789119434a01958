import { espeakAvailable, hashEmbedding, type Provider } from "@avatar-chat/ai";
import { type OpenAITestServer, startOpenAIServer } from "@avatar-chat/ai/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel, voiceAudioKey } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { silentLogger } from "@avatar-chat/telemetry";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addUserMessage,
  attempt,
  channelEvents,
  eventsOf,
  randomPrefix,
  seedConversation,
  testRedis,
  testServerProvider,
} from "../../test/fixtures";
import { processAiReply } from "../ai-reply/process-reply";
import { replyVoiceStarter } from "./reply-voice";

const ANSWER =
  "The store opens at **9am** on weekdays [1]. On Saturdays it opens at 10am! Returns are accepted within 30 days.";

/** A provider that streams ANSWER three characters at a time, as a model would. */
const scripted: Provider = {
  kind: "offline",
  async *streamChat() {
    for (let i = 0; i < ANSWER.length; i += 3) yield { type: "delta", text: ANSWER.slice(i, i + 3) };
    yield { type: "finish", reason: "stop", usage: { promptTokens: 1, completionTokens: 1 } };
  },
  embed: async (texts) => texts.map((t) => hashEmbedding(t)),
  testConnection: async () => {},
};

let db: TestDatabase;
let redis: Redis;
let server: OpenAITestServer;
const prefix = randomPrefix();

beforeAll(async () => {
  db = await createTestDatabase();
  redis = testRedis();
  server = await startOpenAIServer();
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await server.close();
  await db.drop();
});

function deps(offlineVoice: boolean, speaker?: Provider) {
  // The answer always streams from the script; speech goes to `speaker` when given.
  const providerFor = () => (speaker ? { ...scripted, speak: speaker.speak!.bind(speaker) } : scripted);
  return {
    db: db.kysely,
    redis,
    prefix,
    providerFor,
    clock: () => new Date(),
    logger: silentLogger,
    timeoutMs: 30_000,
    voice: replyVoiceStarter({
      db: db.kysely,
      redis,
      prefix,
      logger: silentLogger,
      providerFor,
      offlineVoice: Promise.resolve(offlineVoice),
    }),
  };
}

async function answer(options: {
  voice?: boolean;
  setting?: object;
  offlineVoice?: boolean;
  speaker?: Provider;
}) {
  const seeded = await seedConversation(db.kysely);
  if (options.setting)
    await db.kysely
      .updateTable("chatbots")
      .set({ voice: JSON.stringify(options.setting) })
      .where("id", "=", seeded.chatbotId)
      .execute();
  const messageId = await addUserMessage(db.kysely, seeded, "When do you open?");
  const job = { ...seeded, messageId, ...(options.voice === undefined ? {} : { voice: options.voice }) };
  expect(await processAiReply(deps(options.offlineVoice ?? true, options.speaker), attempt(job))).toBe(
    "complete",
  );
  return channelEvents(redis, conversationChannel(seeded.conversationId), prefix);
}

describe.runIf(await espeakAvailable())("the offline voice speaks a streamed reply", () => {
  it("publishes one WAV per sentence, in order, before the reply completes", async () => {
    const events = await answer({ voice: true });
    const audio = eventsOf(events, "voice.audio");
    expect(audio.map((a) => a.index)).toEqual([0, 1, 2]);
    expect(audio.map((a) => a.text)).toEqual([
      "The store opens at 9am on weekdays.",
      "On Saturdays it opens at 10am!",
      "Returns are accepted within 30 days.",
    ]);
    const types = events.map((e) => e.type);
    expect(types.lastIndexOf("voice.audio")).toBeLessThan(types.indexOf("message.complete"));
    for (const sentence of audio) {
      expect(sentence.contentType).toBe("audio/wav");
      const stored = await redis.hgetBuffer(voiceAudioKey(prefix, sentence.audioId), "audio");
      expect(stored?.toString("ascii", 8, 12)).toBe("WAVE");
      const ttl = await redis.ttl(voiceAudioKey(prefix, sentence.audioId));
      expect(ttl).toBeGreaterThan(0);
    }
  });

  it("says nothing when the visitor has voice off, the chatbot's voice is off, or espeak-ng is missing", async () => {
    expect(eventsOf(await answer({}), "voice.audio")).toEqual([]);
    expect(eventsOf(await answer({ voice: false }), "voice.audio")).toEqual([]);
    const off = { provider: "off", voice: "", speed: 1 };
    expect(eventsOf(await answer({ voice: true, setting: off }), "voice.audio")).toEqual([]);
    expect(eventsOf(await answer({ voice: true, offlineVoice: false }), "voice.audio")).toEqual([]);
  });

  it("uses English when the chosen voice does not exist, and the offline voice when the provider has none", async () => {
    const events = await answer({ voice: true, setting: { provider: "ai", voice: "xx-none", speed: 1.5 } });
    expect(eventsOf(events, "voice.audio")).toHaveLength(3);
  });
});

describe.runIf(await espeakAvailable())("the provider's voice", () => {
  it("speaks each sentence through the provider's speech endpoint with the chosen voice and speed", async () => {
    const speaker = testServerProvider(server.url);
    const events = await answer({
      voice: true,
      setting: { provider: "ai", voice: "nova", speed: 1.25 },
      speaker,
    });
    const audio = eventsOf(events, "voice.audio");
    expect(audio.map((a) => a.index)).toEqual([0, 1, 2]);
    const speech = server.requests.filter((r) => r.path === "/v1/audio/speech");
    expect(speech.map((r) => r.body)).toEqual(
      audio.map((a) =>
        expect.objectContaining({ input: a.text, voice: "nova", speed: 1.25, model: "tts-1" }),
      ),
    );
    // The test server answers with espeak-ng's WAV: the type is taken from the answer.
    expect(audio.every((a) => a.contentType === "audio/wav")).toBe(true);
  });
});
