import { randomBytes } from "node:crypto";
import { AUDIO_TTL_S, voiceAudioKey } from "@avatar-chat/protocol";
import { aiReplyJobId } from "@avatar-chat/protocol/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, startVisitorConversation, type TestPlatform } from "../testing";
import { signedInUser, type TestUser } from "../testing-users";

describe("voice", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@voice.test");
  });
  afterAll(() => platform.close());

  it("keeps a chatbot's voice setting (offline by default) and refuses a bad one with 400", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Speaker" });
    expect(bot.voice).toEqual({ provider: "offline", voice: "", speed: 1 });
    const updated = await owner.browser.chatbot.update.mutate({
      chatbotId: bot.id,
      voice: { provider: "ai", voice: "alloy", speed: 1.25 },
    });
    expect(updated.voice).toEqual({ provider: "ai", voice: "alloy", speed: 1.25 });
    for (const voice of [
      { provider: "ai", voice: "alloy", speed: 5 },
      { provider: "loud", voice: "", speed: 1 },
      { provider: "offline", voice: "en; rm -rf /", speed: 1 },
    ]) {
      await expect(
        owner.browser.chatbot.update.mutate({ chatbotId: bot.id, voice: voice as never }),
      ).rejects.toMatchObject({ data: { httpStatus: 400 } });
    }
  });

  it("tells the widget whether the server speaks, and asks the worker to speak when the visitor has voice on", async () => {
    const bot = await owner.browser.chatbot.create.mutate({
      name: "Talker",
      allowedOrigins: ["https://shop.test"],
    });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const config = await platform.browser({ origin: "https://shop.test" }).widget.config.query({
      publicKey: bot.publicKey,
    });
    expect(config.serverVoice).toBe(true);
    const { client, conversationId } = await startVisitorConversation(
      platform,
      bot.publicKey,
      "https://shop.test",
    );
    const spoken = await client.conversation.send.mutate({
      conversationId,
      content: "Hello?",
      clientMessageId: "m1",
      voice: true,
    });
    const quiet = await client.conversation.send.mutate({
      conversationId,
      content: "Hi",
      clientMessageId: "m2",
    });
    const job = (id: string) => platform.deps.queues.aiReply.getJob(aiReplyJobId(id));
    expect((await job(spoken.messageId))?.data.voice).toBe(true);
    expect((await job(quiet.messageId))?.data.voice).toBeUndefined();
  });

  it("serves a sentence's audio by its id to any origin while it lives, and nothing else", async () => {
    const id = randomBytes(18).toString("base64url");
    const key = voiceAudioKey(platform.deps.config.redisPrefix, id);
    const wav = Buffer.from("RIFF....WAVEfmt fake audio");
    await platform.deps.redis.hset(key, { type: "audio/wav", audio: wav });
    await platform.deps.redis.expire(key, AUDIO_TTL_S);
    const response = await fetch(`${platform.url}/voice/${id}`, { headers: { origin: "https://any.test" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/wav");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(wav);

    const other = randomBytes(18).toString("base64url");
    expect((await fetch(`${platform.url}/voice/${other}`)).status).toBe(404);
    expect((await fetch(`${platform.url}/voice/..%2F..%2Fetc`)).status).toBe(404);
    expect((await fetch(`${platform.url}/voice/${id}x`)).status).toBe(404);
  });
});
