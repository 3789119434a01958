import { conversationChannel, tenantChannel } from "@avatar-chat/protocol";
import { aiReplyJobId, emailJobId } from "@avatar-chat/protocol/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestPlatform,
  publishedEvents,
  startVisitorConversation,
  type TestPlatform,
} from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { humanRequestedNotice } from "./rules";

const site = "https://shop.test";

// Also on the embedded database, where asking for a person once froze the whole platform.
describe.each(["postgres", "pglite"] as const)("a visitor asks for a person (%s)", (backend) => {
  let platform: TestPlatform;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let chatbotId: string;
  let publicKey: string;

  const visitor = () => startVisitorConversation(platform, publicKey, site);
  const events = (channel: string) => publishedEvents(platform, channel);

  const emailsAbout = (conversationId: string) =>
    platform.deps.db
      .selectFrom("email_outbox")
      .select(["id", "to_address", "subject", "text_body"])
      .where("kind", "=", "human_requested")
      .where("text_body", "like", `%/inbox/${conversationId}%`)
      .orderBy("to_address")
      .execute();

  const systemMessages = (conversationId: string) =>
    platform.deps.db
      .selectFrom("messages")
      .select("content")
      .where("conversation_id", "=", conversationId)
      .where("role", "=", "system")
      .orderBy("created_at")
      .execute();

  beforeAll(async () => {
    platform = await createTestPlatform({}, { backend });
    owner = await signedInUser(platform, "owner@human.test");
    admin = await signedInUser(platform, "admin@human.test", { tenantId: owner.tenantId, role: "admin" });
    member = await signedInUser(platform, "member@human.test", { tenantId: owner.tenantId, role: "member" });
    const bot = await owner.browser.chatbot.create.mutate({ name: "Support", allowedOrigins: [site] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    chatbotId = bot.id;
    publicKey = bot.publicKey;
  });
  afterAll(() => platform.close());

  it("marks the conversation, notifies the inbox and the visitor, and the bot keeps answering", async () => {
    const { client, conversationId, visitorId } = await visitor();
    await client.conversation.send.mutate({
      conversationId,
      content: "Where is my parcel?",
      clientMessageId: "a",
    });
    expect(await client.conversation.requestHuman.mutate({ conversationId })).toEqual({
      conversationId,
      handoff: "requested",
    });

    const notice = humanRequestedNotice("en");
    expect(await systemMessages(conversationId)).toEqual([{ content: notice }]);
    expect(await events(conversationChannel(conversationId))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "conversation.state", handoff: "requested" }),
        expect.objectContaining({
          type: "message.complete",
          message: expect.objectContaining({ role: "system", content: notice }),
        }),
      ]),
    );
    expect(await events(tenantChannel(owner.tenantId))).toContainEqual(
      expect.objectContaining({ type: "conversation.updated", conversationId, handoff: "requested" }),
    );
    const waiting = await owner.browser.conversation.inbox.query({ handoff: "requested" });
    expect(waiting.items.map((c) => c.id)).toEqual([conversationId]);
    expect(
      (await owner.browser.conversation.inbox.query({ handoff: "bot" })).items.map((c) => c.id),
    ).not.toContain(conversationId);
    const log = await owner.browser.tenant.auditLog.query({});
    expect(log.entries[0]).toMatchObject({
      action: "conversation.human_requested",
      targetId: conversationId,
    });
    expect(JSON.stringify(log.entries[0])).toContain(visitorId);

    // Owners and admins are emailed a link to the conversation; plain members are not.
    const emails = await emailsAbout(conversationId);
    expect(emails.map((e) => e.to_address)).toEqual(["admin@human.test", "owner@human.test"]);
    expect(emails[0]!.subject).toBe("A visitor is asking for a person (Support)");
    expect(emails[0]!.text_body).toContain(`${platform.url}/inbox/${conversationId}`);
    expect(emails[0]!.text_body).toContain(`${platform.url}/settings/notifications`);
    for (const email of emails)
      expect(await platform.deps.queues.email.getJob(emailJobId(email.id))).toBeTruthy();

    // Until a person takes over, the bot still answers.
    const later = await client.conversation.send.mutate({
      conversationId,
      content: "Hello?",
      clientMessageId: "b",
    });
    expect(await platform.deps.queues.aiReply.getJob(aiReplyJobId(later.messageId))).toBeDefined();
    const history = await client.conversation.history.query({ conversationId });
    expect(history.handoff).toBe("requested");
    expect(history.messages.map((m) => m.role)).toEqual(["user", "system", "user"]);

    // Asking again changes nothing and announces nothing.
    const published = (await events(conversationChannel(conversationId))).length;
    expect((await client.conversation.requestHuman.mutate({ conversationId })).handoff).toBe("requested");
    expect(await systemMessages(conversationId)).toHaveLength(1);
    expect(await events(conversationChannel(conversationId))).toHaveLength(published);
    expect(await emailsAbout(conversationId)).toHaveLength(2);
  });

  it("lets an agent take over from requested; a request after that or when closed changes nothing", async () => {
    const { client, conversationId } = await visitor();
    await client.conversation.requestHuman.mutate({ conversationId });
    const taken = await owner.browser.conversation.takeOver.mutate({ conversationId });
    expect(taken).toMatchObject({ handoff: "agent", assignedUserId: owner.userId });
    expect((await client.conversation.requestHuman.mutate({ conversationId })).handoff).toBe("agent");

    await owner.browser.conversation.handBack.mutate({ conversationId });
    expect((await client.conversation.requestHuman.mutate({ conversationId })).handoff).toBe("requested");
    // The request, who joined, the request after the hand-back.
    expect((await systemMessages(conversationId)).map((m) => m.content)).toEqual([
      humanRequestedNotice("en"),
      "owner has joined the chat.",
      humanRequestedNotice("en"),
    ]);

    await owner.browser.conversation.close.mutate({ conversationId });
    await expect(client.conversation.requestHuman.mutate({ conversationId })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });
  });

  it("refuses other visitors' conversations and more than five requests a minute", async () => {
    const { client, conversationId } = await visitor();
    const stranger = await visitor();
    await expect(stranger.client.conversation.requestHuman.mutate({ conversationId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    for (let i = 0; i < 5; i++) await client.conversation.requestHuman.mutate({ conversationId });
    await expect(client.conversation.requestHuman.mutate({ conversationId })).rejects.toMatchObject({
      data: { code: "TOO_MANY_REQUESTS" },
    });
  });

  it("works for an integrator's chat-scoped key, with the notice in the chatbot's language", async () => {
    await owner.browser.chatbot.update.mutate({ chatbotId, locale: "pt-BR" });
    const { key } = await owner.browser.apiKey.create.mutate({ name: "chat", scopes: ["chat"] });
    const integrator = platform.browser({ bearer: key });
    const { conversationId } = await integrator.conversation.start.mutate({ chatbotId });
    expect((await integrator.conversation.requestHuman.mutate({ conversationId })).handoff).toBe("requested");
    expect(await systemMessages(conversationId)).toEqual([{ content: humanRequestedNotice("pt-BR") }]);
  });

  it("follows each member's own choice: an admin can opt out, a member can opt in", async () => {
    expect(await owner.browser.tenant.notifications.query()).toEqual({ humanRequests: true });
    expect(await member.browser.tenant.notifications.query()).toEqual({ humanRequests: false });
    expect(await admin.browser.tenant.setNotifications.mutate({ humanRequests: false })).toEqual({
      humanRequests: false,
    });
    await member.browser.tenant.setNotifications.mutate({ humanRequests: true });
    expect(await member.browser.tenant.notifications.query()).toEqual({ humanRequests: true });

    const { client, conversationId } = await visitor();
    await client.conversation.requestHuman.mutate({ conversationId });
    expect((await emailsAbout(conversationId)).map((e) => e.to_address)).toEqual([
      "member@human.test",
      "owner@human.test",
    ]);

    // A key has no member behind it; bad input is refused.
    const { key } = await owner.browser.apiKey.create.mutate({ name: "all", scopes: ["read", "write"] });
    await expect(platform.browser({ bearer: key }).tenant.notifications.query()).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(
      member.browser.tenant.setNotifications.mutate({ humanRequests: "yes" } as never),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  });
});
