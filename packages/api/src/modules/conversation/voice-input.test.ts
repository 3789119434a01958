import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { OpenAITestServer } from "@avatar-chat/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPlatform } from "../../testing";
import { createPlatformWithTestServer, setTestServerAsProvider } from "../../testing-provider";
import { signedInUser, type TestUser } from "../../testing-users";
import { MAX_RECORDING_BYTES, voiceInputKey } from "./recording";

const SITE = "https://shop.test";
const KEY = "sk-test-voice-input";

/** A mono 16-bit PCM WAV of a quiet tone: real audio, as a browser's fake microphone would give. */
function wav(seconds: number, sampleRate = 16_000): Uint8Array {
  const samples = Math.round(seconds * sampleRate);
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0);
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVEfmt ", 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36);
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(3000 * Math.sin(i / 8)), 44 + i * 2);
  return new Uint8Array(out);
}

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { message: string } }).error.message;

/** Every file the embedded object store holds (its directory is named after the platform's prefix). */
async function storedFiles(platform: TestPlatform): Promise<string[]> {
  const dir = path.join(os.tmpdir(), `s3-${platform.deps.config.redisPrefix.slice(0, -1)}`);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("POST /voice-input/<conversationId>", () => {
  let platform: TestPlatform;
  let server: OpenAITestServer;
  let owner: TestUser;
  let bot: { id: string; publicKey: string };
  let close: () => Promise<void>;

  const upload = (
    conversationId: string,
    body: Uint8Array,
    options: { token?: string; origin?: string; type?: string } = {},
  ) =>
    fetch(`${platform.url}/voice-input/${conversationId}`, {
      method: "POST",
      headers: {
        "content-type": options.type ?? "audio/wav",
        origin: options.origin ?? SITE,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body,
    });

  async function visitor(publicKey = bot.publicKey) {
    const started = await platform.browser({ origin: SITE }).widget.start.mutate({ publicKey });
    const client = platform.browser({ origin: SITE, bearer: started.visitorToken });
    const { conversationId } = await client.conversation.start.mutate({});
    return { token: started.visitorToken, client, conversationId };
  }

  beforeAll(async () => {
    ({ platform, server, close } = await createPlatformWithTestServer(KEY));
    owner = await signedInUser(platform, "owner@voice-input.test");
    bot = await owner.browser.chatbot.create.mutate({ name: "Listener", allowedOrigins: [SITE] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
  });
  afterAll(() => close());

  it("without an AI provider: the widget is told there is no transcription, and the route says it is not available", async () => {
    const config = await platform.browser({ origin: SITE }).widget.config.query({ publicKey: bot.publicKey });
    expect(config.transcription).toBe(false);
    const { token, conversationId } = await visitor();
    const response = await upload(conversationId, wav(1), { token });
    expect(response.status).toBe(412);
    expect(await errorOf(response)).toMatch(/not available/);
  });

  it("transcribes through the tenant's provider and keeps nothing while storing is off", async () => {
    await setTestServerAsProvider(owner, server, KEY);
    // The widget config is cached for up to 10 s on a node; a chatbot change forgets it here.
    await owner.browser.chatbot.update.mutate({ chatbotId: bot.id, greeting: "Hi" });
    const config = await platform.browser({ origin: SITE }).widget.config.query({ publicKey: bot.publicKey });
    expect(config.transcription).toBe(true);

    const recording = wav(1.5);
    const sha256 = createHash("sha256").update(recording).digest("hex");
    server.setBehaviour({ transcripts: { [sha256]: "How long does delivery to Norway take?" } });
    const { token, conversationId } = await visitor();
    const filesBefore = await storedFiles(platform);
    const keysBefore = new Set(await platform.deps.redis.keys(`${platform.deps.config.redisPrefix}*`));

    const response = await upload(conversationId, recording, { token });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(SITE);
    expect(await response.json()).toEqual({ text: "How long does delivery to Norway take?" });
    expect(server.requests.at(-1)).toMatchObject({
      path: "/v1/audio/transcriptions",
      authorization: `Bearer ${KEY}`,
      body: { model: "whisper-1", language: "en", file: { type: "audio/wav", sha256 } },
    });

    expect(await storedFiles(platform)).toEqual(filesBefore);
    const newKeys = (await platform.deps.redis.keys(`${platform.deps.config.redisPrefix}*`)).filter(
      (key) => !keysBefore.has(key),
    );
    expect(newKeys.every((key) => key.includes(":rl:"))).toBe(true);
  });

  it("keeps the recording under the tenant and links it to the message when the chatbot stores voice input", async () => {
    const updated = await owner.browser.chatbot.update.mutate({ chatbotId: bot.id, storeVoiceInput: true });
    expect(updated.storeVoiceInput).toBe(true);
    server.setBehaviour({ transcript: "Do you ship to Norway?" });
    const { token, client, conversationId } = await visitor();
    const recording = wav(1);
    const response = await upload(conversationId, recording, { token, type: "audio/wav" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { text: string; voiceInputId: string };
    expect(body.text).toBe("Do you ship to Norway?");
    const key = voiceInputKey(owner.tenantId, conversationId, body.voiceInputId);
    expect(key.startsWith(`tenants/${owner.tenantId}/voice-input/`)).toBe(true);
    expect(await platform.deps.storage.get(key)).toEqual(recording);
    expect(await platform.deps.storage.head(key)).toMatchObject({ contentType: "audio/wav" });

    const sent = await client.conversation.send.mutate({
      conversationId,
      content: body.text,
      clientMessageId: "spoken-1",
      voiceInputId: body.voiceInputId,
    });
    const row = await platform.deps.db
      .selectFrom("messages")
      .select(["voice_input_key", "tenant_id"])
      .where("id", "=", sent.messageId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ voice_input_key: key, tenant_id: owner.tenantId });

    // An id that names no kept recording is refused, not linked.
    await expect(
      client.conversation.send.mutate({
        conversationId,
        content: "x",
        clientMessageId: "spoken-2",
        voiceInputId: "00000000-0000-4000-8000-000000000000",
      }),
    ).rejects.toMatchObject({ data: { httpStatus: 400 } });
    await owner.browser.chatbot.update.mutate({ chatbotId: bot.id, storeVoiceInput: false });
  });

  it("records every transcription as usage of the tenant, with the recording's size and length", async () => {
    server.setBehaviour({ transcript: "When do you open?" });
    const { token, conversationId } = await visitor();
    const response = await upload(conversationId, wav(2), { token });
    expect(response.status).toBe(200);
    const events = await platform.deps.db
      .selectFrom("usage_events")
      .select(["tenant_id", "chatbot_id", "kind", "value", "detail"])
      .where("conversation_id", "=", conversationId)
      .where("kind", "<>", "conversation")
      .execute();
    expect(events).toEqual([
      {
        tenant_id: owner.tenantId,
        chatbot_id: bot.id,
        kind: "transcription",
        value: 1,
        detail: { bytes: wav(2).byteLength, type: "audio/wav", seconds: 2 },
      },
    ]);
  });

  it("deletes a deleted chatbot's kept recordings, linked or not, with its conversations", async () => {
    const other = await owner.browser.chatbot.create.mutate({ name: "Forgetful", allowedOrigins: [SITE] });
    await owner.browser.chatbot.update.mutate({ chatbotId: other.id, storeVoiceInput: true });
    await owner.browser.chatbot.publish.mutate({ chatbotId: other.id });
    server.setBehaviour({ transcript: "Please forget me." });
    const { token, client, conversationId } = await visitor(other.publicKey);
    const kept = async () => {
      const response = await upload(conversationId, wav(1), { token });
      expect(response.status).toBe(200);
      const { voiceInputId } = (await response.json()) as { voiceInputId: string };
      return voiceInputId;
    };
    const linked = await kept();
    await client.conversation.send.mutate({
      conversationId,
      content: "Please forget me.",
      clientMessageId: "forget-1",
      voiceInputId: linked,
    });
    const unlinked = await kept();
    const keys = [linked, unlinked].map((id) => voiceInputKey(owner.tenantId, conversationId, id));
    for (const key of keys) expect(await platform.deps.storage.head(key)).not.toBeNull();

    await owner.browser.chatbot.delete.mutate({ chatbotId: other.id });
    for (const key of keys)
      expect({ key, head: await platform.deps.storage.head(key) }).toEqual({ key, head: null });
  });

  it("refuses what is not a recording of its declared type, by its bytes, with a 4xx", async () => {
    const { token, conversationId } = await visitor();
    const webmMagic = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, ...new Array(60).fill(7)]);
    const cases: [Uint8Array, string, number][] = [
      [wav(1), "text/plain", 415],
      [wav(1), "audio/webm;codecs=opus", 415], // WAV bytes declared as WebM
      [new TextEncoder().encode("<html><script>alert(1)</script></html>"), "audio/webm", 415],
      [webmMagic, "audio/ogg", 415],
      [new Uint8Array(0), "audio/wav", 400],
    ];
    for (const [bytes, type, status] of cases) {
      const response = await upload(conversationId, bytes, { token, type });
      expect({ type, status: response.status }).toEqual({ type, status });
      expect(await errorOf(response)).toBeTruthy();
    }
    server.setBehaviour({ transcript: "Fine" });
    expect((await upload(conversationId, webmMagic, { token, type: "audio/webm;codecs=opus" })).status).toBe(
      200,
    );
  });

  it("refuses a recording over 2 MB or over 60 s with 413", async () => {
    const { token, conversationId } = await visitor();
    const tooBig = new Uint8Array(MAX_RECORDING_BYTES + 1);
    tooBig.set(wav(0.01).subarray(0, 44));
    const big = await upload(conversationId, tooBig, { token });
    expect(big.status).toBe(413);
    // 61 s of 8 kHz 16-bit audio is under 1 MB, but too long.
    const long = await upload(conversationId, wav(61, 8_000), { token });
    expect(long.status).toBe(413);
    expect(await errorOf(long)).toMatch(/60 seconds/);
  });

  it("says so with a 422, not a 5xx, when the provider cannot read the recording", async () => {
    const { token, conversationId } = await visitor();
    server.setBehaviour({ fail: { status: 400, message: "Invalid file format." } });
    const response = await upload(conversationId, wav(1), { token });
    expect(response.status).toBe(422);
    server.setBehaviour({ transcript: "" });
    expect((await upload(conversationId, wav(1), { token })).status).toBe(422);
    server.setBehaviour({});
  });

  it("checks the caller as conversation.send does: token, origin, own conversation, tenant", async () => {
    const { token, conversationId } = await visitor();
    const other = await visitor();
    expect((await upload(conversationId, wav(1))).status).toBe(401);
    expect((await upload(conversationId, wav(1), { token, origin: "https://evil.test" })).status).toBe(403);
    expect((await upload(other.conversationId, wav(1), { token })).status).toBe(404);
    expect((await upload("not-a-uuid", wav(1), { token })).status).toBe(404);

    // Another tenant's integrator key cannot name this tenant's conversation.
    const stranger = await signedInUser(platform, "stranger@voice-input.test");
    const key = await stranger.browser.apiKey.create.mutate({ name: "k", scopes: ["chat"] });
    const response = await upload(conversationId, wav(1), { token: key.key });
    expect(response.status).toBe(404);

    // Preflight from the tenant's site: the browser may send the recording with its token.
    const preflight = await fetch(`${platform.url}/voice-input/${conversationId}`, {
      method: "OPTIONS",
      headers: { origin: SITE, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
  });
});
