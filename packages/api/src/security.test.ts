import { type Pooler, pgBouncer } from "@avatar-chat/db/test-servers";
import { TEST_DATABASE_URL } from "@avatar-chat/db/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import { type Attacker, type Client, type ExemptContext, securityCases, type Victim } from "./security.cases";
import { createTestPlatform, type TestPlatform, tenantSnapshot } from "./testing";
import { signedInUser } from "./testing-users";

const shop = "https://shop.example";
const refusedCodes = ["NOT_FOUND", "FORBIDDEN", "UNAUTHORIZED"];

// On every database setup: PostgreSQL, the embedded default (PGlite, one connection) that every new user
// runs first, and PostgreSQL through PgBouncer in transaction mode (how managed databases are reached).
describe.each(["postgres", "pglite", "pgbouncer"] as const)("cross-tenant security on %s", (setup) => {
  let platform: TestPlatform;
  let bouncer: Pooler | undefined;
  let a: Victim;
  let clients: Record<Attacker, Client>;
  let exemptContext: ExemptContext;

  const snapshotOfA = () => tenantSnapshot(platform.deps.db, a.tenantId);

  beforeAll(async () => {
    if (setup === "pgbouncer") bouncer = await pgBouncer(TEST_DATABASE_URL, "transaction");
    platform = await createTestPlatform(
      {},
      setup === "pglite"
        ? { backend: "pglite" }
        : setup === "pgbouncer"
          ? { connectThrough: bouncer!.urlFor, poolMode: "transaction" }
          : {},
    );
    const db = platform.deps.db;
    const owner = await signedInUser(platform, "a-owner@example.com");
    const member = await signedInUser(platform, "a-member@example.com", {
      tenantId: owner.tenantId,
      role: "member",
    });
    const bot = await owner.browser.chatbot.create.mutate({ name: "A bot", allowedOrigins: [shop] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const source = await owner.browser.knowledge.addText.mutate({
      chatbotId: bot.id,
      title: "Secret",
      text: "A's secret",
    });
    const asset = await owner.browser.chatbot.avatar.createUpload.mutate({
      name: "a.glb",
      format: "glb",
      contentType: "model/gltf-binary",
      sizeBytes: 100,
    });
    const key = await owner.browser.apiKey.create.mutate({
      name: "A key",
      scopes: ["read", "write", "chat"],
    });
    const apiConversation = await platform
      .browser({ bearer: key.key })
      .conversation.start.mutate({ chatbotId: bot.id });
    const started = await platform
      .browser({ origin: shop })
      .widget.start.mutate({ publicKey: bot.publicKey });
    const visitor = platform.browser({ origin: shop, bearer: started.visitorToken });
    const { conversationId } = await visitor.conversation.start.mutate({});
    const sent = await visitor.conversation.send.mutate({
      conversationId,
      content: "hello",
      clientMessageId: "m1",
    });
    const reply = await db
      .insertInto("messages")
      .values({
        tenant_id: owner.tenantId,
        conversation_id: conversationId,
        role: "assistant",
        content: "Hi!",
        reply_to: sent.messageId,
        citations: "[]",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const invitation = await owner.browser.tenant.invite.mutate({ email: "c@example.com", role: "admin" });
    const mail = await db
      .selectFrom("email_outbox")
      .select("text_body")
      .where("tenant_id", "=", owner.tenantId)
      .executeTakeFirstOrThrow();
    const session = await db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", owner.userId)
      .executeTakeFirstOrThrow();
    a = {
      tenantId: owner.tenantId,
      ownerUserId: owner.userId,
      memberUserId: member.userId,
      sessionId: session.id,
      chatbotId: bot.id,
      publicKey: bot.publicKey,
      sourceId: source.id,
      assetId: asset.assetId,
      conversationId,
      apiConversationId: apiConversation.conversationId,
      userMessageId: sent.messageId,
      assistantMessageId: reply.id,
      invitationId: invitation.id,
      invitationToken: /token=(\w+)/.exec(mail.text_body)![1]!,
      apiKeyId: key.id,
    };

    // Tenant B: an owner, a key with every scope, and a widget visitor of B's own published chatbot.
    const bOwner = await signedInUser(platform, "b-owner@example.com");
    const bBot = await bOwner.browser.chatbot.create.mutate({ name: "B bot", allowedOrigins: [shop] });
    await bOwner.browser.chatbot.publish.mutate({ chatbotId: bBot.id });
    const bKey = await bOwner.browser.apiKey.create.mutate({
      name: "B key",
      scopes: ["read", "write", "chat"],
    });
    const bStarted = await platform
      .browser({ origin: shop })
      .widget.start.mutate({ publicKey: bBot.publicKey });
    clients = {
      owner: bOwner.browser,
      apiKey: platform.browser({ bearer: bKey.key }),
      visitor: platform.browser({ origin: shop, bearer: bStarted.visitorToken }),
    };
    exemptContext = {
      a,
      clients: { ...clients, anonymous: platform.browser({ origin: shop }) },
      b: { visitorToken: bStarted.visitorToken, visitorId: bStarted.visitorId, publicKey: bBot.publicKey },
    };
  });
  afterAll(async () => {
    await platform.close();
    await bouncer?.stop();
  });

  it("has exactly one entry per procedure of appRouter", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const missing = procedures.filter((path) => !(path in securityCases));
    const stale = Object.keys(securityCases).filter((path) => !procedures.includes(path));
    expect(missing, "procedures without an entry in security.cases.ts").toEqual([]);
    expect(stale, "entries in security.cases.ts for procedures that do not exist").toEqual([]);
  });

  it("notices any change to tenant A's rows (the detector itself works)", async () => {
    const before = await snapshotOfA();
    const db = platform.deps.db;
    await db
      .updateTable("knowledge_sources")
      .set({ title: "changed" })
      .where("id", "=", a.sourceId)
      .execute();
    expect(await snapshotOfA()).not.toBe(before);
    await db.updateTable("knowledge_sources").set({ title: "Secret" }).where("id", "=", a.sourceId).execute();
    expect(await snapshotOfA()).toBe(before);
  });

  for (const [path, entry] of Object.entries(securityCases)) {
    it(path, async () => {
      if ("exempt" in entry) {
        expect(entry.exempt.length).toBeGreaterThan(10);
        await entry.check?.(exemptContext);
        return;
      }
      const secrets = Object.values(a);
      for (const attempt of entry.attempts) {
        for (const attacker of attempt.as ?? ["owner", "apiKey", "visitor"]) {
          const label = `${path} as B's ${attacker}`;
          const before = await snapshotOfA();
          const outcome = await attempt.call(clients[attacker], a).then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (attempt.expect === "refused") {
            expect(outcome.ok, `${label} was not refused`).toBe(false);
          }
          if (!outcome.ok) {
            if (!(outcome.error instanceof TRPCClientError)) throw outcome.error;
            const code = (outcome.error.data as { code?: string } | undefined)?.code;
            if (attempt.expect === "refused")
              expect(refusedCodes, `${label}: ${outcome.error.message}`).toContain(code);
            else expect(code, `${label}: ${outcome.error.message}`).not.toBe("INTERNAL_SERVER_ERROR");
          }
          const visible = JSON.stringify(outcome.ok ? outcome.value : (outcome.error as Error).message) ?? "";
          for (const secret of secrets) expect(visible, `${label} revealed ${secret}`).not.toContain(secret);
          expect(await snapshotOfA(), `${label} changed tenant A's data`).toBe(before);
        }
      }
    });
  }
});
