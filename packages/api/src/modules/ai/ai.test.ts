import type { OpenAITestServer } from "@avatar-chat/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiConfigFrom, apiEnv } from "../../config";
import type { TestPlatform } from "../../testing";
import { createPlatformWithTestServer } from "../../testing-provider";
import { signedInUser, type TestUser } from "../../testing-users";
import { providerSettingsFor } from "./provider-settings";

describe("ai settings", () => {
  let platform: TestPlatform;
  let server: OpenAITestServer;
  let admin: TestUser;
  let member: TestUser;
  let close: () => Promise<void>;
  const secretKey = "sk-test-abcdefgh1234";

  beforeAll(async () => {
    ({ platform, server, close } = await createPlatformWithTestServer(secretKey));
    admin = await signedInUser(platform, "admin@example.com");
    member = await signedInUser(platform, "member@example.com", { tenantId: admin.tenantId, role: "member" });
  });
  afterAll(() => close());

  it("defaults to the offline provider", async () => {
    expect(await admin.browser.ai.get.query()).toMatchObject({ provider: "offline", apiKeySet: false });
    expect(
      await providerSettingsFor(platform.deps.db, platform.deps.config.appSecret, admin.tenantId),
    ).toEqual({
      kind: "offline",
    });
  });

  it("stores the key encrypted and shows only its last four characters", async () => {
    await admin.browser.ai.update.mutate({
      provider: "openai",
      baseUrl: server.url,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
      apiKey: secretKey,
    });
    const shown = await admin.browser.ai.get.query();
    expect(shown).toMatchObject({
      provider: "openai",
      apiKeySet: true,
      apiKeyLast4: "1234",
      baseUrl: server.url,
    });
    expect(JSON.stringify(shown)).not.toContain(secretKey);
    const row = await platform.deps.db.selectFrom("ai_settings").selectAll().executeTakeFirstOrThrow();
    expect(row.api_key_encrypted).not.toContain(secretKey);
    expect(row.api_key_encrypted).toMatch(/^v1\./);
    expect(
      await providerSettingsFor(platform.deps.db, platform.deps.config.appSecret, admin.tenantId),
    ).toEqual({
      kind: "openai",
      baseUrl: server.url,
      apiKey: secretKey,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
    });
    const log = await admin.browser.tenant.auditLog.query({});
    expect(log.entries[0]).toMatchObject({ action: "ai_settings.updated" });
    expect(JSON.stringify(log)).not.toContain(secretKey);
  });

  it("keeps the stored key when the form leaves it out, refuses incomplete settings and members", async () => {
    await admin.browser.ai.update.mutate({
      provider: "openai",
      baseUrl: server.url,
      chatModel: "other-chat",
      embeddingModel: "test-embed",
    });
    expect((await admin.browser.ai.get.query()).apiKeyLast4).toBe("1234");
    await expect(
      admin.browser.ai.update.mutate({
        provider: "openai",
        chatModel: "x",
        embeddingModel: "y",
        apiKey: null,
      }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      admin.browser.ai.update.mutate({ provider: "openai", baseUrl: "file:///etc/passwd", apiKey: "k" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(member.browser.ai.get.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(member.browser.ai.update.mutate({ provider: "offline" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
  });

  it("tests the connection against an OpenAI-protocol server: 200 with the right key, 401 with a wrong one", async () => {
    expect(await admin.browser.ai.testConnection.mutate()).toEqual({ ok: true, provider: "openai" });
    expect(server.requests.at(-1)).toMatchObject({
      path: "/v1/models",
      authorization: `Bearer ${secretKey}`,
    });
    const wrong = await admin.browser.ai.testConnection.mutate({
      provider: "openai",
      baseUrl: server.url,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
      apiKey: "sk-wrong",
    });
    expect(wrong).toMatchObject({ ok: false, kind: "auth" });
    // The failed test did not change what is stored.
    expect((await admin.browser.ai.get.query()).apiKeyLast4).toBe("1234");
    expect(await admin.browser.ai.testConnection.mutate({ provider: "offline" })).toEqual({
      ok: true,
      provider: "offline",
    });
  });

  it("refuses private base URLs the operator has not allowed, on save and on every call", async () => {
    const allowed = platform.deps.config.aiNetwork;
    platform.deps.config.aiNetwork = {};
    try {
      const form = { provider: "openai" as const, chatModel: "c", embeddingModel: "e", apiKey: "k" };
      for (const baseUrl of [server.url, "http://169.254.169.254/v1", "http://[::ffff:10.0.0.1]:8080/v1"]) {
        await expect(admin.browser.ai.update.mutate({ ...form, baseUrl })).rejects.toMatchObject({
          data: { code: "BAD_REQUEST" },
          message: expect.stringMatching(
            /not allowed: .*private or reserved address.*AI_ALLOWED_PRIVATE_HOSTS/,
          ),
        });
        await expect(admin.browser.ai.testConnection.mutate({ ...form, baseUrl })).rejects.toMatchObject({
          data: { code: "BAD_REQUEST" },
        });
      }
      // Settings saved while allowed are checked again when called: no request reaches the server.
      const requests = server.requests.length;
      expect(await admin.browser.ai.testConnection.mutate()).toMatchObject({
        ok: false,
        kind: "permanent",
        message: expect.stringMatching(/127\.0\.0\.1/),
      });
      expect(server.requests).toHaveLength(requests);
      expect((await admin.browser.ai.get.query()).baseUrl).toBe(server.url);

      // A single-tenant self-hosted platform may allow every private address.
      platform.deps.config.aiNetwork = { allowPrivateNetwork: true };
      expect(await admin.browser.ai.testConnection.mutate()).toEqual({ ok: true, provider: "openai" });
    } finally {
      platform.deps.config.aiNetwork = allowed;
    }
  });

  it("reads the allow-list from the environment and refuses malformed entries", () => {
    const env = { APP_SECRET: "x".repeat(32), AI_ALLOWED_PRIVATE_HOSTS: " localhost:11434, 10.0.0.5 " };
    expect(apiConfigFrom(apiEnv.parse(env), "ac:").aiNetwork).toEqual({
      allowedPrivateHosts: ["localhost:11434", "10.0.0.5"],
      allowPrivateNetwork: false,
    });
    expect(apiEnv.safeParse({ ...env, AI_ALLOWED_PRIVATE_HOSTS: "http://localhost" }).success).toBe(false);
    expect(
      apiConfigFrom(apiEnv.parse({ ...env, AI_ALLOW_PRIVATE_NETWORK: "true" }), "ac:").aiNetwork,
    ).toEqual({
      allowedPrivateHosts: ["localhost:11434", "10.0.0.5"],
      allowPrivateNetwork: true,
    });
  });

  it("switches back to offline and clears the key", async () => {
    await admin.browser.ai.update.mutate({ provider: "offline", apiKey: null });
    expect(await admin.browser.ai.get.query()).toMatchObject({
      provider: "offline",
      apiKeySet: false,
      apiKeyLast4: null,
    });
  });
});
