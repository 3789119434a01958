import type { OpenAITestServer } from "@avatar-chat/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPlatform } from "../../testing";
import { createPlatformWithTestServer, setTestServerAsProvider } from "../../testing-provider";
import { signedInUser, type TestUser } from "../../testing-users";

// The dashboard's "listen" button: the greeting spoken by the code that speaks answers (espeak-ng, or the
// tenant's provider through the OpenAI-protocol test server, whose speech is espeak-ng too).

const wav = (base64: string) => Buffer.from(base64, "base64");

describe("chatbot.voiceSample", () => {
  let platform: TestPlatform;
  let server: OpenAITestServer;
  let owner: TestUser;
  let other: TestUser;
  let chatbotId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ platform, server, close } = await createPlatformWithTestServer("sk-test-voice-sample"));
    owner = await signedInUser(platform, "owner@voice.test");
    other = await signedInUser(platform, "other@voice.test");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Ava" });
    await owner.browser.chatbot.update.mutate({ chatbotId: bot.id, greeting: "Hi! I am **Ava** [1]." });
    chatbotId = bot.id;
  });
  afterAll(() => close());

  it("speaks the greeting with the built-in voice in the form's settings", async () => {
    const normal = await owner.browser.chatbot.voiceSample.mutate({
      chatbotId,
      voice: { provider: "offline", voice: "en-us", speed: 1 },
    });
    expect(normal.contentType).toBe("audio/wav");
    expect(wav(normal.audio).toString("ascii", 0, 4)).toBe("RIFF");
    // Faster speech of the same text is shorter: the speed is the form's.
    const fast = await owner.browser.chatbot.voiceSample.mutate({
      chatbotId,
      voice: { provider: "offline", voice: "en-us", speed: 2 },
    });
    expect(wav(fast.audio).length).toBeLessThan(wav(normal.audio).length * 0.8);
  });

  it("speaks through the tenant's provider for the provider voice, with the speakable greeting", async () => {
    await setTestServerAsProvider(owner, server, "sk-test-voice-sample");
    const sample = await owner.browser.chatbot.voiceSample.mutate({
      chatbotId,
      voice: { provider: "ai", voice: "nova", speed: 1 },
    });
    expect(wav(sample.audio).length).toBeGreaterThan(1000);
    const asked = server.requests.filter((r) => r.path === "/v1/audio/speech");
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body).toMatchObject({ input: "Hi! I am Ava.", voice: "nova" });
  });

  it("refuses another tenant's chatbot, the browser-only setting, and more than 10 samples a minute", async () => {
    await expect(
      other.browser.chatbot.voiceSample.mutate({
        chatbotId,
        voice: { provider: "offline", voice: "", speed: 1 },
      }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(
      owner.browser.chatbot.voiceSample.mutate({
        chatbotId,
        voice: { provider: "off", voice: "", speed: 1 },
      }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    const calls = Array.from({ length: 10 }, () =>
      owner.browser.chatbot.voiceSample
        .mutate({ chatbotId, voice: { provider: "offline", voice: "", speed: 2 } })
        .then(
          () => "ok",
          (error: { data?: { code?: string } }) => error.data?.code,
        ),
    );
    // 3 samples above, 1 refused as "off": this tenant has 4 left of its 10 this minute.
    expect((await Promise.all(calls)).filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(4);
  });
});
