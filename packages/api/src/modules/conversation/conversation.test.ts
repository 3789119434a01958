import { conversationChannel, tenantChannel } from "@avatar-chat/protocol";
import { aiReplyJobId, stopReplyKey } from "@avatar-chat/protocol/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestPlatform,
  publishedEvents,
  startVisitorConversation,
  type TestPlatform,
} from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";

const site = "https://shop.test";

describe("conversation", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let other: TestUser;
  let publicKey: string;
  let chatbotId: string;

  const visitor = () => startVisitorConversation(platform, publicKey, site);
  const events = (channel: string) => publishedEvents(platform, channel);

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@conv.test");
    other = await signedInUser(platform, "other@conv.test");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Support", allowedOrigins: [site] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    publicKey = bot.publicKey;
    chatbotId = bot.id;
  });
  afterAll(() => platform.close());

  it("stores a visitor's message, publishes it and enqueues the reply", async () => {
    const { client, conversationId } = await visitor();
    const sent = await client.conversation.send.mutate({
      conversationId,
      content: "  Do you ship to Norway?  ",
      clientMessageId: "m-1",
    });
    expect(sent.conversationId).toBe(conversationId);
    const job = await platform.deps.queues.aiReply.getJob(aiReplyJobId(sent.messageId));
    // The question rides along so the worker can embed it while it loads the conversation.
    expect(job?.data).toEqual({
      tenantId: owner.tenantId,
      conversationId,
      messageId: sent.messageId,
      question: "Do you ship to Norway?",
    });

    const onConversation = await events(conversationChannel(conversationId));
    expect(onConversation).toEqual([
      expect.objectContaining({
        type: "message.complete",
        message: expect.objectContaining({
          id: sent.messageId,
          role: "user",
          content: "Do you ship to Norway?",
        }),
      }),
    ]);
    const onTenant = await events(tenantChannel(owner.tenantId));
    expect(onTenant).toContainEqual(
      expect.objectContaining({
        type: "conversation.updated",
        conversationId,
        lastMessagePreview: "Do you ship to Norway?",
      }),
    );

    const history = await client.conversation.history.query({ conversationId });
    expect(history.messages).toEqual([expect.objectContaining({ id: sent.messageId, role: "user" })]);
    expect(history.lastEventId).toBe(1);
    const row = await platform.deps.db
      .selectFrom("conversations")
      .select(["title", "message_count", "channel"])
      .where("id", "=", conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ title: "Do you ship to Norway?", message_count: 1, channel: "widget" });
    const usage = await platform.deps.db
      .selectFrom("usage_events")
      .select("kind")
      .where("conversation_id", "=", conversationId)
      .orderBy("id")
      .execute();
    expect(usage.map((u) => u.kind)).toEqual(["conversation", "user_message"]);
  });

  it("is idempotent on the client message id", async () => {
    const { client, conversationId } = await visitor();
    const input = { conversationId, content: "Hello?", clientMessageId: "same" };
    const [a, b] = await Promise.all([
      client.conversation.send.mutate(input),
      client.conversation.send.mutate(input),
    ]);
    const c = await client.conversation.send.mutate(input);
    expect(new Set([a.messageId, b.messageId, c.messageId]).size).toBe(1);
    const messages = await platform.deps.db
      .selectFrom("messages")
      .select("id")
      .where("conversation_id", "=", conversationId)
      .execute();
    expect(messages).toHaveLength(1);
  });

  it("refuses empty and oversized messages and other visitors' conversations", async () => {
    const { client, conversationId } = await visitor();
    await expect(
      client.conversation.send.mutate({ conversationId, content: "   ", clientMessageId: "x" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      client.conversation.send.mutate({ conversationId, content: "a".repeat(4001), clientMessageId: "x" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    const stranger = await visitor();
    await expect(
      stranger.client.conversation.send.mutate({ conversationId, content: "hi", clientMessageId: "x" }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(stranger.client.conversation.history.query({ conversationId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(platform.browser({ origin: site }).conversation.start.mutate({})).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("enforces the monthly message quota", async () => {
    const { client, conversationId } = await visitor();
    const month = `${new Date().toISOString().slice(0, 7)}-01`;
    const used = await platform.deps.db
      .selectFrom("usage_monthly")
      .select("messages")
      .where("tenant_id", "=", owner.tenantId)
      .where("month", "=", month)
      .executeTakeFirst();
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_messages_per_month: (used?.messages ?? 0) + 1 })
      .where("id", "=", owner.tenantId)
      .execute();
    await client.conversation.send.mutate({ conversationId, content: "one", clientMessageId: "q1" });
    await expect(
      client.conversation.send.mutate({ conversationId, content: "two", clientMessageId: "q2" }),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining("messages of its plan"),
    });
    const after = await platform.deps.db
      .selectFrom("usage_monthly")
      .select("messages")
      .where("tenant_id", "=", owner.tenantId)
      .where("month", "=", month)
      .executeTakeFirstOrThrow();
    expect(after.messages).toBe((used?.messages ?? 0) + 1);
    await platform.deps.db
      .updateTable("tenants")
      .set({ max_messages_per_month: 1000 })
      .where("id", "=", owner.tenantId)
      .execute();
  });

  it("rate limits one visitor's sends", async () => {
    const { client, conversationId } = await visitor();
    const results = await Promise.allSettled(
      Array.from({ length: 22 }, (_, i) =>
        client.conversation.send.mutate({ conversationId, content: `n${i}`, clientMessageId: `r${i}` }),
      ),
    );
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ reason: { data: { code: "TOO_MANY_REQUESTS" } } });
  });

  it("takes feedback on answers and sets the stop key", async () => {
    const { client, conversationId } = await visitor();
    const question = await client.conversation.send.mutate({
      conversationId,
      content: "Q",
      clientMessageId: "f1",
    });
    const answer = await platform.deps.db
      .insertInto("messages")
      .values({
        tenant_id: owner.tenantId,
        conversation_id: conversationId,
        role: "assistant",
        content: "A",
        reply_to: question.messageId,
        citations: "[]",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(
      client.conversation.feedback.mutate({ messageId: question.messageId, rating: "up" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await client.conversation.feedback.mutate({ messageId: answer.id, rating: "down", comment: "Too vague" });
    const history = await client.conversation.history.query({ conversationId });
    expect(history.messages.find((m) => m.id === answer.id)?.feedback).toBe("down");
    const stranger = await visitor();
    await expect(
      stranger.client.conversation.feedback.mutate({ messageId: answer.id, rating: "up" }),
    ).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });

    await client.conversation.stop.mutate({ conversationId });
    const pressedAt = await platform.deps.redis.get(
      stopReplyKey(platform.deps.config.redisPrefix, conversationId),
    );
    expect(Number(pressedAt)).toBeGreaterThan(0);
  });

  it("lets an integrator chat with a chat-scoped key, in its own conversations only", async () => {
    const { key } = await owner.browser.apiKey.create.mutate({ name: "bot", scopes: ["chat"] });
    const integrator = platform.browser({ origin: "https://backend.example", bearer: key });
    await expect(integrator.conversation.start.mutate({})).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    const { conversationId } = await integrator.conversation.start.mutate({ chatbotId });
    const sent = await integrator.conversation.send.mutate({
      conversationId,
      content: "Hi",
      clientMessageId: "k1",
    });
    expect((await integrator.conversation.history.query({ conversationId })).messages[0]?.id).toBe(
      sent.messageId,
    );
    const widgetConversation = await visitor();
    await expect(
      integrator.conversation.history.query({ conversationId: widgetConversation.conversationId }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(integrator.chatbot.list.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    const { key: otherKey } = await other.browser.apiKey.create.mutate({ name: "bot", scopes: ["chat"] });
    const intruder = platform.browser({ bearer: otherKey });
    await expect(intruder.conversation.start.mutate({ chatbotId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(intruder.conversation.history.query({ conversationId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    const { key: readKey } = await owner.browser.apiKey.create.mutate({ name: "ro", scopes: ["read"] });
    await expect(
      platform.browser({ bearer: readKey }).conversation.start.mutate({ chatbotId }),
    ).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
  });

  it("lists the inbox with filters and keyset paging", async () => {
    const first = await visitor();
    await first.client.conversation.send.mutate({
      conversationId: first.conversationId,
      content: "Refund for order 1234",
      clientMessageId: "i1",
    });
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await owner.browser.conversation.inbox.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      all.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const total = await platform.deps.db
      .selectFrom("conversations")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("tenant_id", "=", owner.tenantId)
      .executeTakeFirstOrThrow();
    expect(all).toHaveLength(Number(total.n));
    expect(new Set(all).size).toBe(all.length);
    expect(all[0]).toBe(first.conversationId);

    const found = await owner.browser.conversation.inbox.query({ search: "order 1234" });
    expect(found.items.map((i) => i.id)).toEqual([first.conversationId]);
    expect(found.items[0]).toMatchObject({ chatbotName: "Support", status: "open", handoff: "bot" });
    const none = await owner.browser.conversation.inbox.query({
      chatbotId,
      handoff: "agent",
      status: "open",
    });
    expect(none.items).toEqual([]);
    const future = await owner.browser.conversation.inbox.query({ from: new Date(Date.now() + 3_600_000) });
    expect(future.items).toEqual([]);
    expect((await other.browser.conversation.inbox.query({})).items).toEqual([]);
  });

  it("stores an agent's reply once when the dashboard sends it again with the same client id", async () => {
    const { conversationId } = await visitor();
    const reply = { conversationId, content: "Let me check.", clientMessageId: "agent-1" };
    const [first, second] = await Promise.all([
      owner.browser.conversation.reply.mutate(reply),
      owner.browser.conversation.reply.mutate(reply),
    ]);
    const third = await owner.browser.conversation.reply.mutate(reply);
    expect(new Set([first.messageId, second.messageId, third.messageId]).size).toBe(1);
    const { messages, conversation } = await owner.browser.conversation.get.query({ conversationId });
    expect(messages.filter((m) => m.role === "agent")).toHaveLength(1);
    expect(conversation.messageCount).toBe(messages.length);
  });

  it("hands a conversation to an agent and back, and exports it", async () => {
    const { client, conversationId } = await visitor();
    await client.conversation.send.mutate({
      conversationId,
      content: "I want a human",
      clientMessageId: "h1",
    });
    const taken = await owner.browser.conversation.takeOver.mutate({ conversationId });
    expect(taken).toMatchObject({ handoff: "agent", assignedUserId: owner.userId });
    const reply = await owner.browser.conversation.reply.mutate({
      conversationId,
      content: "Hi, this is Ann.",
    });
    const during = await client.conversation.send.mutate({
      conversationId,
      content: "Thanks!",
      clientMessageId: "h2",
    });
    expect(await platform.deps.queues.aiReply.getJob(aiReplyJobId(during.messageId))).toBeUndefined();

    const published = await events(conversationChannel(conversationId));
    expect(published).toContainEqual(
      expect.objectContaining({ type: "conversation.state", handoff: "agent", agentName: "owner" }),
    );
    expect(published).toContainEqual(
      expect.objectContaining({
        type: "message.complete",
        message: expect.objectContaining({ id: reply.messageId, role: "agent", content: "Hi, this is Ann." }),
      }),
    );
    expect(await events(tenantChannel(owner.tenantId))).toContainEqual(
      expect.objectContaining({ type: "conversation.updated", conversationId, handoff: "agent" }),
    );
    const back = await owner.browser.conversation.handBack.mutate({ conversationId });
    expect(back).toMatchObject({ handoff: "bot", assignedUserId: null });

    const detail = await owner.browser.conversation.get.query({ conversationId });
    expect(detail.messages.map((m) => m.role)).toEqual(["user", "system", "agent", "user"]);
    expect(detail.messages[1]?.content).toBe("owner has joined the chat.");
    expect(detail.messages[2]?.authorUserId).toBe(owner.userId);

    const markdown = await owner.browser.conversation.export.query({ conversationId, format: "markdown" });
    expect(markdown).toMatchObject({
      filename: `conversation-${conversationId}.md`,
      contentType: "text/markdown",
    });
    expect(markdown.body).toContain("## Agent");
    expect(markdown.body).toContain("Hi, this is Ann.");
    const json = await owner.browser.conversation.export.query({ conversationId, format: "json" });
    expect(JSON.parse(json.body).messages).toHaveLength(4);
    const exports = (await owner.browser.tenant.auditLog.query({})).entries.filter(
      (e) => e.action === "conversation.exported" && e.targetId === conversationId,
    );
    expect(exports.map((e) => e.detail)).toEqual([
      { format: "json", messages: 4 },
      { format: "markdown", messages: 4 },
    ]);

    await owner.browser.conversation.close.mutate({ conversationId });
    await expect(
      client.conversation.send.mutate({ conversationId, content: "hello?", clientMessageId: "h3" }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    await expect(
      owner.browser.conversation.reply.mutate({ conversationId, content: "x" }),
    ).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });
    expect((await owner.browser.conversation.reopen.mutate({ conversationId })).status).toBe("open");

    for (const attempt of [
      () => other.browser.conversation.get.query({ conversationId }),
      () => other.browser.conversation.takeOver.mutate({ conversationId }),
      () => other.browser.conversation.reply.mutate({ conversationId, content: "x" }),
      () => other.browser.conversation.export.query({ conversationId, format: "json" }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    }
  });

  it("writes who joined into the transcript before a person's first reply, once per take-over", async () => {
    // Several rounds: the notice and the reply are written in one transaction, so their order must not
    // depend on chance (random ids under equal timestamps).
    for (let round = 0; round < 5; round++) {
      const { client, conversationId } = await visitor();
      await client.conversation.send.mutate({
        conversationId,
        content: "Anyone there?",
        clientMessageId: "j1",
      });
      await owner.browser.conversation.reply.mutate({ conversationId, content: "Yes, Ann here." });
      await owner.browser.conversation.reply.mutate({ conversationId, content: "How can I help?" });
      await owner.browser.conversation.takeOver.mutate({ conversationId }); // already taken: no second notice
      const transcript = await client.conversation.history.query({ conversationId });
      expect(transcript.messages.map((m) => [m.role, m.content])).toEqual([
        ["user", "Anyone there?"],
        ["system", "owner has joined the chat."],
        ["agent", "Yes, Ann here."],
        ["agent", "How can I help?"],
      ]);
      const published = (await events(conversationChannel(conversationId))).filter(
        (e) => e.type === "message.complete",
      );
      expect(published.map((e) => (e as { message: { role: string } }).message.role)).toEqual([
        "user",
        "system",
        "agent",
        "agent",
      ]);
    }
  });
});
