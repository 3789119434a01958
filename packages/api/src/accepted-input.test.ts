// The inputs an outside probe answered with 500 (issue 13): each must be a 400 in the product's words.
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inputProblem, parseInstant } from "./accepted-input";
import { createTestPlatform, startVisitorConversation, type TestPlatform } from "./testing";
import { signedInUser, type TestUser } from "./testing-users";

const shop = "https://shop.example";
const NUL = "a\u0000b";
const LONE_SURROGATE = "a\ud800b";
const uuid = "00000000-0000-4000-8000-000000000000";

type Client = ReturnType<TestPlatform["browser"]>;

async function codeOf(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await call;
    return { code: "OK", message: "" };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return { code: (error.data as { code?: string } | undefined)?.code, message: error.message };
  }
}

describe("what text and dates the api accepts", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let visitor: Client;
  let signedOut: Client;
  let chatbotId: string;
  let conversationId: string;
  let assistantMessageId: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@example.com");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Bot", allowedOrigins: [shop] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    chatbotId = bot.id;
    const started = await startVisitorConversation(platform, bot.publicKey, shop);
    visitor = started.client;
    conversationId = started.conversationId;
    const sent = await visitor.conversation.send.mutate({
      conversationId,
      content: "hi",
      clientMessageId: "m1",
    });
    const reply = await platform.deps.db
      .insertInto("messages")
      .values({
        tenant_id: owner.tenantId,
        conversation_id: conversationId,
        role: "assistant",
        content: "Hello",
        reply_to: sent.messageId,
        citations: "[]",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    assistantMessageId = reply.id;
    signedOut = platform.browser();
  });
  afterAll(() => platform.close());

  const textCases: Record<string, (bad: string) => Promise<unknown>> = {
    "auth.signUp": (bad) =>
      signedOut.auth.signUp.mutate({
        email: "new@example.com",
        password: "long enough password",
        name: bad,
        workspaceName: "W",
      }),
    "auth.signIn": (bad) => signedOut.auth.signIn.mutate({ email: "owner@example.com", password: bad }),
    "auth.revokeSession": (bad) => owner.browser.auth.revokeSession.mutate({ sessionId: bad }),
    "tenant.rename": (bad) => owner.browser.tenant.rename.mutate({ name: bad }),
    "tenant.acceptInvitation": (bad) => owner.browser.tenant.acceptInvitation.mutate({ token: bad }),
    "apiKey.create": (bad) => owner.browser.apiKey.create.mutate({ name: bad, scopes: ["read"] }),
    "chatbot.create": (bad) => owner.browser.chatbot.create.mutate({ name: bad }),
    "chatbot.update": (bad) => owner.browser.chatbot.update.mutate({ chatbotId, persona: bad }),
    "chatbot.avatar.createUpload": (bad) =>
      owner.browser.chatbot.avatar.createUpload.mutate({
        name: bad,
        format: "glb",
        contentType: "model/gltf-binary",
        sizeBytes: 100,
      }),
    "knowledge.createUpload": (bad) =>
      owner.browser.knowledge.createUpload.mutate({
        chatbotId,
        name: bad,
        contentType: "text/plain",
        sizeBytes: 10,
      }),
    "knowledge.addUrl": (bad) =>
      owner.browser.knowledge.addUrl.mutate({ chatbotId, url: "https://example.com/", title: bad }),
    "knowledge.addText": (bad) =>
      owner.browser.knowledge.addText.mutate({ chatbotId, title: "T", text: bad }),
    "knowledge.searchPreview": (bad) =>
      owner.browser.knowledge.searchPreview.query({ chatbotId, question: bad }),
    "conversation.send": (bad) =>
      visitor.conversation.send.mutate({ conversationId, content: bad, clientMessageId: "m2" }),
    "conversation.feedback": (bad) =>
      visitor.conversation.feedback.mutate({ messageId: assistantMessageId, rating: "up", comment: bad }),
    "conversation.reply": (bad) => owner.browser.conversation.reply.mutate({ conversationId, content: bad }),
    "conversation.inbox": (bad) => owner.browser.conversation.inbox.query({ search: bad }),
    "ai.update": (bad) =>
      owner.browser.ai.update.mutate({ provider: "offline", chatModel: bad, embeddingModel: "e" }),
  };

  for (const [path, call] of Object.entries(textCases)) {
    it(`${path}: a NUL character or a lone surrogate is a clear 400`, async () => {
      for (const bad of [NUL, LONE_SURROGATE]) {
        const { code, message } = await codeOf(call(bad));
        expect(code, `${path} with ${JSON.stringify(bad)}: ${message}`).toBe("BAD_REQUEST");
        expect(message).toMatch(/cannot be stored/);
      }
    });
  }

  it("refuses text hidden in object keys and nested values too", async () => {
    const { code } = await codeOf(
      owner.browser.chatbot.update.mutate({
        chatbotId,
        theme: { [NUL]: true } as never,
      }),
    );
    expect(code).toBe("BAD_REQUEST");
  });

  it("refuses input nested deeper than any procedure takes", async () => {
    // Raw HTTP: the typed client cannot even serialise this. 200 KB of brackets, under the body limit.
    const deep = `${"[".repeat(100_000)}"x"${"]".repeat(100_000)}`;
    const response = await fetch(`${platform.url}/trpc/tenant.rename`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: platform.origin },
      body: `{"name":${deep}}`,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/nested too deeply/);
  });

  it("numbers a column cannot hold exactly are rounded, not a 500 (found by the fuzz test)", async () => {
    await owner.browser.chatbot.update.mutate({ chatbotId, temperature: 5e-324 });
    expect((await owner.browser.chatbot.get.query({ chatbotId })).temperature).toBe(0);
    await owner.browser.chatbot.update.mutate({ chatbotId, temperature: 0.7049999 });
    expect((await owner.browser.chatbot.get.query({ chatbotId })).temperature).toBeCloseTo(0.7, 5);
  });

  it("transcript cursors must name a real moment", async () => {
    for (const at of [
      "0000-00-00T00:00:00.000000Z",
      "2026-13-45T99:99:99.000000Z",
      "2026-02-30T00:00:00.000000Z",
    ]) {
      const cursor = `${at}_${uuid}`;
      const asVisitor = await codeOf(visitor.conversation.history.query({ conversationId, cursor }));
      expect(asVisitor.code, `history ${cursor}: ${asVisitor.message}`).toBe("BAD_REQUEST");
      const asOwner = await codeOf(owner.browser.conversation.get.query({ conversationId, cursor }));
      expect(asOwner.code, `get ${cursor}: ${asOwner.message}`).toBe("BAD_REQUEST");
    }
    // A real cursor still pages.
    const page = await visitor.conversation.history.query({ conversationId, limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await visitor.conversation.history.query({ conversationId, cursor: page.nextCursor! });
  });

  it("inbox dates and cursors stay within 1970–9999", async () => {
    const inbox = owner.browser.conversation.inbox;
    const attempts = [
      { from: "275760-09-13" },
      { to: "+275760-09-13T00:00:00.000Z" },
      { from: "0000-01-01" },
      { cursor: `+275760-09-13T00:00:00.000Z_${uuid}` },
      { cursor: `0000-01-01T00:00:00.000Z_${uuid}` },
      { cursor: "not a cursor" },
    ];
    for (const input of attempts) {
      const { code, message } = await codeOf(inbox.query(input as never));
      expect(code, `${JSON.stringify(input)}: ${message}`).toBe("BAD_REQUEST");
    }
    const page = await inbox.query({ from: "2026-01-01" as never, limit: 1 });
    expect(page.items.length).toBeLessThanOrEqual(1);
  });

  it("analytics days stay within 1970–9999", async () => {
    for (const range of [
      { from: "0000-01-01", to: "0000-01-31" },
      { from: "1969-12-31", to: "1970-01-01" },
      { from: "10000-01-01", to: "10000-01-02" },
    ]) {
      const { code, message } = await codeOf(owner.browser.analytics.overview.query(range));
      expect(code, `${JSON.stringify(range)}: ${message}`).toBe("BAD_REQUEST");
    }
    await owner.browser.analytics.overview.query({ from: "9999-12-01", to: "9999-12-31" });
  });

  it("/files, /avatars and /widget answer 404 to paths that do not decode", async () => {
    for (const path of [
      "/files/%ZZ",
      "/files/%E0%A4%A",
      "/files/%00",
      "/avatars/%ZZ",
      "/avatars/%E0%A4%A.glb",
      "/avatars/%00.glb",
      "/widget/%ZZ",
      "/widget/%00.js",
    ]) {
      const response = await fetch(`${platform.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(404);
    }
  });
});

describe("accepted-input rules", () => {
  it("parseInstant accepts real moments between 1970 and 9999 only", () => {
    expect(parseInstant("2026-03-01T12:00:00.123456Z")?.toISOString()).toBe("2026-03-01T12:00:00.123Z");
    expect(parseInstant("1970-01-01T00:00:00Z")).not.toBeNull();
    expect(parseInstant("9999-12-31T23:59:59.999Z")).not.toBeNull();
    for (const bad of [
      "2026-02-30T00:00:00Z",
      "2026-02-28T24:00:00Z",
      "1969-12-31T23:59:59Z",
      "+275760-09-13T00:00:00.000Z",
      "2026-01-01T00:00:00+01:00",
      "2026-01-01",
    ])
      expect(parseInstant(bad), bad).toBeNull();
  });

  it("inputProblem names the field with unstorable text", () => {
    expect(inputProblem({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toMatch(/"a\.1\.c"/);
    expect(inputProblem({ emoji: "😀 ünïcødé" })).toBeNull();
    expect(inputProblem(null)).toBeNull();
  });
});
