import { channelKeys, conversationChannel, publishEvent } from "@avatar-chat/protocol";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";

describe("chatbot", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@bots.test");
    other = await signedInUser(platform, "other@bots.test");
  });
  afterAll(() => platform.close());

  it("creates with defaults, lists, gets and updates every setting", async () => {
    const created = await owner.browser.chatbot.create.mutate({ name: "Helper" });
    expect(created).toMatchObject({
      name: "Helper",
      published: false,
      avatar: { kind: "default" },
      locale: "en",
    });
    expect(created.publicKey).toMatch(/^pk_[a-z0-9]{20,}$/);
    const updated = await owner.browser.chatbot.update.mutate({
      chatbotId: created.id,
      persona: "A friendly shop assistant.",
      greeting: "Hi! Ask me anything.",
      locale: "de",
      model: "gpt-4o-mini",
      temperature: 0.7,
      maxTokens: 400,
      avatar: { kind: "default", voice: "alloy" },
      allowedOrigins: ["https://Shop.Example.com/", "http://localhost:5173"],
      theme: { primaryColor: "#3366FF", position: "bottom-left", dark: true },
    });
    expect(updated).toMatchObject({
      locale: "de",
      temperature: expect.closeTo(0.7),
      maxTokens: 400,
      allowedOrigins: ["https://shop.example.com", "http://localhost:5173"],
      theme: { primaryColor: "#3366ff", position: "bottom-left", dark: true },
      avatar: { kind: "default", voice: "alloy" },
    });
    expect(await owner.browser.chatbot.get.query({ chatbotId: created.id })).toMatchObject({
      greeting: "Hi! Ask me anything.",
    });
    expect((await owner.browser.chatbot.list.query()).map((b) => b.id)).toContain(created.id);
  });

  it("refuses invalid settings with readable messages", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Strict" });
    await expect(
      owner.browser.chatbot.update.mutate({ chatbotId: bot.id, allowedOrigins: ["*"] }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.chatbot.update.mutate({ chatbotId: bot.id, theme: { primaryColor: "red" } }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.chatbot.update.mutate({
        chatbotId: bot.id,
        avatar: { kind: "glb", assetId: crypto.randomUUID() },
      }),
    ).rejects.toMatchObject({ message: "Upload the avatar file before choosing it." });
    // The persona and greeting reach the model, which may repeat them to anyone who asks (docs/ai.md).
    const { key } = await owner.browser.apiKey.create.mutate({ name: "ci", scopes: ["read"] });
    for (const secret of [key, "sk-proj-abcdefghijklmnopqrstuvwxyz012345", "AKIAIOSFODNN7EXAMPLE"]) {
      await expect(
        owner.browser.chatbot.update.mutate({ chatbotId: bot.id, persona: `You help. Internal: ${secret}` }),
      ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/public/) });
      await expect(
        owner.browser.chatbot.update.mutate({ chatbotId: bot.id, greeting: `Hi ${secret}` }),
      ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    }
    await owner.browser.chatbot.update.mutate({ chatbotId: bot.id, persona: "Write to support@acme.test." });
    await owner.browser.chatbot.delete.mutate({ chatbotId: bot.id });
  });

  it("refuses a chatbot over the plan limit, for create and duplicate", async () => {
    const existing = await owner.browser.chatbot.list.query();
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_chatbots: existing.length + 1 })
      .where("id", "=", owner.tenantId)
      .execute();
    const last = await owner.browser.chatbot.create.mutate({ name: "Last one" });
    await expect(owner.browser.chatbot.create.mutate({ name: "One too many" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining("Your plan allows"),
    });
    await expect(owner.browser.chatbot.duplicate.mutate({ chatbotId: last.id })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await owner.browser.chatbot.delete.mutate({ chatbotId: last.id });
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_chatbots: 10 })
      .where("id", "=", owner.tenantId)
      .execute();
  });

  it("publishes, unpublishes and gives the embed snippet", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Public" });
    expect((await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id })).published).toBe(true);
    const { snippet } = await owner.browser.chatbot.embedSnippet.query({ chatbotId: bot.id });
    expect(snippet).toBe(
      `<script type="module" src="${platform.url}/widget/avatar-chat.js"></script><avatar-chat bot="${bot.publicKey}"></avatar-chat>`,
    );
    expect((await owner.browser.chatbot.unpublish.mutate({ chatbotId: bot.id })).published).toBe(false);
  });

  it("duplicates settings but not conversations, under a new public key", async () => {
    const bot = await owner.browser.chatbot.create.mutate({
      name: "Original",
      greeting: "Hello",
      allowedOrigins: ["https://a.example"],
    });
    await platform.deps.db
      .insertInto("conversations")
      .values({ tenant_id: owner.tenantId, chatbot_id: bot.id })
      .execute();
    const copy = await owner.browser.chatbot.duplicate.mutate({ chatbotId: bot.id });
    expect(copy).toMatchObject({
      name: "Copy of Original",
      greeting: "Hello",
      allowedOrigins: ["https://a.example"],
      published: false,
    });
    expect(copy.publicKey).not.toBe(bot.publicKey);
    const conversations = await platform.deps.db
      .selectFrom("conversations")
      .select("id")
      .where("chatbot_id", "=", copy.id)
      .execute();
    expect(conversations).toEqual([]);
  });

  it("deletes a chatbot with its data and its stored knowledge files", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Doomed" });
    const source = await owner.browser.knowledge.addText.mutate({
      chatbotId: bot.id,
      title: "Notes",
      text: "Some text.",
    });
    const key = `tenants/${owner.tenantId}/knowledge/${source.id}`;
    expect(await platform.deps.storage.head(key)).not.toBeNull();
    await platform.deps.db
      .insertInto("conversations")
      .values({ tenant_id: owner.tenantId, chatbot_id: bot.id })
      .execute();
    await owner.browser.chatbot.delete.mutate({ chatbotId: bot.id });
    expect(await platform.deps.storage.head(key)).toBeNull();
    const left = await platform.deps.db
      .selectFrom("conversations")
      .select("id")
      .where("chatbot_id", "=", bot.id)
      .union(platform.deps.db.selectFrom("knowledge_sources").select("id").where("chatbot_id", "=", bot.id))
      .execute();
    expect(left).toEqual([]);
    await expect(owner.browser.chatbot.get.query({ chatbotId: bot.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
  });

  it("deletes what its conversations left in Redis and the text of their unanswered questions", async () => {
    const { db, redis, config } = platform.deps;
    const bot = await owner.browser.chatbot.create.mutate({ name: "Forgetful" });
    const conversation = await db
      .insertInto("conversations")
      .values({ tenant_id: owner.tenantId, chatbot_id: bot.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    // As the worker leaves a streamed answer: the channel's stream (with the text) and its counter.
    await publishEvent(
      redis,
      conversationChannel(conversation.id),
      { type: "typing", conversationId: conversation.id, who: "assistant", on: true },
      { prefix: config.redisPrefix },
    );
    const keys = channelKeys(conversationChannel(conversation.id), config.redisPrefix);
    expect(await redis.exists(keys.stream, keys.sequence)).toBe(2);
    const question = "my passport number is X123";
    await db
      .insertInto("usage_events")
      .values({
        tenant_id: owner.tenantId,
        chatbot_id: bot.id,
        conversation_id: conversation.id,
        kind: "unanswered",
        detail: JSON.stringify({ question }),
      })
      .execute();
    await db
      .insertInto("usage_daily")
      .values({
        tenant_id: owner.tenantId,
        chatbot_id: bot.id,
        day: "2026-10-01",
        unanswered: 1,
        unanswered_questions: JSON.stringify([question]),
      })
      .execute();

    await owner.browser.chatbot.delete.mutate({ chatbotId: bot.id });
    expect(await redis.exists(keys.stream, keys.sequence)).toBe(0);
    // The chatbot's usage rows go with it (foreign keys cascade), so the question's text goes too.
    const left = await db
      .selectFrom("usage_events")
      .select("id")
      .where("chatbot_id", "=", bot.id)
      .union(db.selectFrom("usage_daily").select(sql<number>`0`.as("id")).where("chatbot_id", "=", bot.id))
      .execute();
    expect(left).toEqual([]);
  });

  it("hides another tenant's chatbot and refuses members and read-only keys", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Mine" });
    await expect(other.browser.chatbot.get.query({ chatbotId: bot.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(
      other.browser.chatbot.update.mutate({ chatbotId: bot.id, name: "Theirs" }),
    ).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    const member = await signedInUser(platform, "member@bots.test", {
      tenantId: owner.tenantId,
      role: "member",
    });
    expect((await member.browser.chatbot.list.query()).length).toBeGreaterThan(0);
    await expect(member.browser.chatbot.create.mutate({ name: "No" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    const { key } = await owner.browser.apiKey.create.mutate({ name: "ro", scopes: ["read"] });
    const integrator = platform.browser({ bearer: key });
    expect((await integrator.chatbot.get.query({ chatbotId: bot.id })).name).toBe("Mine");
    await expect(integrator.chatbot.create.mutate({ name: "No" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
  });

  it("uploads a GLB avatar through a presigned URL and shows it in the widget config", async () => {
    await expect(
      owner.browser.chatbot.avatar.createUpload.mutate({
        name: "me.glb",
        format: "glb",
        contentType: "image/png",
        sizeBytes: 100,
      }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.chatbot.avatar.createUpload.mutate({
        name: "me.glb",
        format: "glb",
        contentType: "model/gltf-binary",
        sizeBytes: 500 * 1024 * 1024,
      }),
    ).rejects.toMatchObject({ data: { code: "PAYLOAD_TOO_LARGE" } });

    const upload = await owner.browser.chatbot.avatar.createUpload.mutate({
      name: "me.glb",
      format: "glb",
      contentType: "model/gltf-binary",
      sizeBytes: 12,
    });
    await expect(
      owner.browser.chatbot.avatar.confirm.mutate({ assetId: upload.assetId }),
    ).rejects.toMatchObject({
      message: "The avatar file has not been uploaded yet.",
    });
    const put = await fetch(upload.uploadUrl, {
      method: "PUT",
      headers: upload.headers,
      body: "glTF00000000",
    });
    expect(put.ok).toBe(true);
    const ready = await owner.browser.chatbot.avatar.confirm.mutate({ assetId: upload.assetId });
    expect(ready).toMatchObject({ status: "ready", sizeBytes: 12, format: "glb" });
    expect((await owner.browser.chatbot.avatar.list.query()).map((a) => a.id)).toContain(upload.assetId);
    await expect(
      other.browser.chatbot.avatar.confirm.mutate({ assetId: upload.assetId }),
    ).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });

    const bot = await owner.browser.chatbot.create.mutate({ name: "Avatar bot" });
    await expect(
      owner.browser.chatbot.update.mutate({
        chatbotId: bot.id,
        avatar: { kind: "vrm", assetId: upload.assetId },
      }),
    ).rejects.toMatchObject({ message: "This avatar is a GLB file." });
    await owner.browser.chatbot.update.mutate({
      chatbotId: bot.id,
      avatar: { kind: "glb", assetId: upload.assetId },
    });
    await owner.browser.chatbot.update.mutate({
      chatbotId: bot.id,
      allowedOrigins: ["https://shop.example"],
    });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const config = await platform.browser({ origin: "https://shop.example" }).widget.config.query({
      publicKey: bot.publicKey,
    });
    expect(config.avatar.kind).toBe("glb");
    expect(config.avatar.url).toBe(`${platform.url}/avatars/${upload.assetId}.glb`);
    // The public config names no tenant, anywhere (it used to carry tenants/<id>/avatars/… in a presigned URL).
    expect(JSON.stringify(config)).not.toContain(owner.tenantId);
    const started = await platform.browser({ origin: "https://shop.example" }).widget.start.mutate({
      publicKey: bot.publicKey,
    });
    expect(JSON.stringify(started.chatbot)).not.toContain(owner.tenantId);
    const file = await fetch(config.avatar.url!, { headers: { origin: "https://shop.example" } });
    expect(await file.text()).toBe("glTF00000000");
    expect(file.headers.get("content-type")).toBe("model/gltf-binary");
    expect(file.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const elsewhere = await fetch(config.avatar.url!, { headers: { origin: "https://elsewhere.example" } });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get("access-control-allow-origin")).toBeNull();
    const again = await fetch(config.avatar.url!, {
      headers: { "if-none-match": file.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${platform.url}/avatars/${upload.assetId}.vrm`)).status).toBe(404);
    expect((await fetch(`${platform.url}/avatars/${crypto.randomUUID()}.glb`)).status).toBe(404);
    expect((await fetch(`${platform.url}/avatars/..%2F..%2Fetc.glb`)).status).toBe(404);

    // The upload URL is still within its minutes: a second PUT cannot reach the confirmed file, which
    // is still the one served.
    await fetch(upload.uploadUrl, { method: "PUT", headers: upload.headers, body: "glTF11111111" });
    const served = await fetch(config.avatar.url!);
    expect([served.status, await served.text()]).toEqual([200, "glTF00000000"]);
    await expect(
      owner.browser.chatbot.avatar.confirm.mutate({ assetId: upload.assetId }),
    ).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });

    await owner.browser.chatbot.avatar.delete.mutate({ assetId: upload.assetId });
    expect((await owner.browser.chatbot.get.query({ chatbotId: bot.id })).avatar).toEqual({
      kind: "default",
    });
    const after = await platform.browser().widget.config.query({ publicKey: bot.publicKey });
    expect(after.avatar).toEqual({ kind: "default" });
  });
});
