import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { createWidgetCache, WIDGET_CACHE_TTL_MS } from "./config-cache";

const site = "https://shop.test";

describe("widget", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let publicKey: string;
  let chatbotId: string;
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@widget.test");
    const bot = await owner.browser.chatbot.create.mutate({
      name: "Shop helper",
      greeting: "Hello there",
      locale: "fr",
      allowedOrigins: [site],
      theme: { primaryColor: "#112233", position: "bottom-left" },
    });
    publicKey = bot.publicKey;
    chatbotId = bot.id;
  });
  afterAll(() => platform.close());

  it("hides an unpublished chatbot except from the dashboard (preview)", async () => {
    await expect(platform.browser({ origin: site }).widget.config.query({ publicKey })).rejects.toMatchObject(
      {
        data: { code: "NOT_FOUND" },
      },
    );
    await expect(platform.browser({ origin: site }).widget.start.mutate({ publicKey })).rejects.toMatchObject(
      {
        data: { code: "NOT_FOUND" },
      },
    );
    const preview = await platform.browser().widget.start.mutate({ publicKey });
    expect(preview.chatbot.name).toBe("Shop helper");
  });

  it("gives the public config in the widget's vocabulary", async () => {
    await owner.browser.chatbot.publish.mutate({ chatbotId });
    const config = await platform.browser({ origin: site }).widget.config.query({ publicKey });
    expect(config).toEqual({
      id: chatbotId,
      name: "Shop helper",
      greeting: "Hello there",
      locale: "fr",
      theme: { primaryColor: "#112233", position: "left" },
      avatar: { kind: "default" },
      serverVoice: true,
      transcription: false,
    });
    await expect(
      platform.browser({ origin: site }).widget.config.query({ publicKey: "pk_doesnotexist000" }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("sees a chatbot change at once on this node (the cache is invalidated)", async () => {
    await platform.browser({ origin: site }).widget.config.query({ publicKey });
    await owner.browser.chatbot.update.mutate({ chatbotId, greeting: "Bonjour" });
    expect((await platform.browser({ origin: site }).widget.config.query({ publicKey })).greeting).toBe(
      "Bonjour",
    );
  });

  it("answers a hot config request exactly as the procedure does, and forgets it when unpublished", async () => {
    const url = `${platform.url}/trpc/widget.config?input=${encodeURIComponent(JSON.stringify({ publicKey }))}`;
    const get = async () => {
      const response = await fetch(url, { headers: { origin: site } });
      // Every header but the connection's own and the clock's.
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!["date", "connection", "keep-alive"].includes(name)) headers[name] = value;
      });
      return { status: response.status, body: await response.text(), headers };
    };
    await owner.browser.chatbot.update.mutate({ chatbotId, greeting: "Bonjour" }); // empties the cache
    const fromProcedure = await get();
    const fromCache = await get();
    expect(fromProcedure.status).toBe(200);
    expect(fromProcedure.headers["cache-control"]).toBe("public, max-age=30, stale-while-revalidate=300");
    expect(fromCache).toEqual(fromProcedure);

    await owner.browser.chatbot.unpublish.mutate({ chatbotId });
    expect((await get()).status).toBe(404);
    const preview = await fetch(url, { headers: { origin: "http://dashboard.test" } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("cache-control")).toBeNull();
    await owner.browser.chatbot.publish.mutate({ chatbotId });
  });

  it("starts a visitor only on an allowed origin", async () => {
    await expect(
      platform.browser({ origin: "https://evil.test" }).widget.start.mutate({ publicKey }),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining("allowed origins"),
    });
    const started = await platform.browser({ origin: site }).widget.start.mutate({ publicKey });
    expect(started).toMatchObject({
      visitorToken: expect.stringMatching(/^vt1\./),
      visitorId: expect.any(String),
      realtimeUrl: `${platform.url.replace(/^http/, "ws")}/realtime`,
      chatbot: { id: chatbotId, greeting: "Bonjour" },
      conversation: null,
    });
    expect(Date.parse(started.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("resumes the same visitor and their open conversation with a valid token", async () => {
    const first = await platform.browser({ origin: site }).widget.start.mutate({ publicKey });
    const visitor = platform.browser({ origin: site, bearer: first.visitorToken });
    const { conversationId } = await visitor.conversation.start.mutate({});
    await visitor.conversation.send.mutate({
      conversationId,
      content: "Where is my order?",
      clientMessageId: "c1",
    });

    const again = await platform.browser({ origin: site }).widget.start.mutate({
      publicKey,
      visitorToken: first.visitorToken,
    });
    expect(again.visitorId).toBe(first.visitorId);
    expect(again.conversation).toMatchObject({
      id: conversationId,
      messages: [{ role: "user", content: "Where is my order?", citations: [], feedback: null }],
    });

    const stranger = await platform.browser({ origin: site }).widget.start.mutate({
      publicKey,
      visitorToken: "vt1.forged.token",
    });
    expect(stranger.visitorId).not.toBe(first.visitorId);
    expect(stranger.conversation).toBeNull();
  });

  it("does not resume a visitor of another chatbot", async () => {
    const otherBot = await owner.browser.chatbot.create.mutate({ name: "Other", allowedOrigins: [site] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: otherBot.id });
    const first = await platform.browser({ origin: site }).widget.start.mutate({ publicKey });
    const elsewhere = await platform
      .browser({ origin: site })
      .widget.start.mutate({ publicKey: otherBot.publicKey, visitorToken: first.visitorToken });
    expect(elsewhere.visitorId).not.toBe(first.visitorId);
  });

  it("locks visitors out once the chatbot is unpublished or the origin removed", async () => {
    const started = await platform.browser({ origin: site }).widget.start.mutate({ publicKey });
    const visitor = platform.browser({ origin: site, bearer: started.visitorToken });
    await visitor.conversation.start.mutate({});
    await expect(
      platform
        .browser({ origin: "https://evil.test", bearer: started.visitorToken })
        .conversation.start.mutate({}),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await owner.browser.chatbot.unpublish.mutate({ chatbotId });
    await expect(visitor.conversation.start.mutate({})).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await owner.browser.chatbot.publish.mutate({ chatbotId });
  });
});

describe("widget cache", () => {
  it("expires entries on the app's clock and drops both lookups of a changed chatbot", () => {
    let now = 1_000_000;
    const cache = createWidgetCache(() => new Date(now));
    const chatbot = { id: "c1", publicKey: "pk_1" } as Parameters<typeof cache.remember>[0];
    cache.remember(chatbot);
    expect(cache.byPublicKey.get("pk_1")).toBe(chatbot);
    now += WIDGET_CACHE_TTL_MS - 1;
    expect(cache.byChatbotId.get("c1")).toBe(chatbot);
    now += 2;
    expect(cache.byPublicKey.get("pk_1")).toBeUndefined();
    cache.remember(chatbot);
    cache.forget(chatbot);
    expect([cache.byPublicKey.get("pk_1"), cache.byChatbotId.get("c1")]).toEqual([undefined, undefined]);
  });
});
