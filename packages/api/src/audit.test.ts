import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, startVisitorConversation, type TestPlatform } from "./testing";
import { signedInUser, TEST_PASSWORD, type TestUser } from "./testing-users";

// An audit entry is part of the change it records: when writing the entry fails (here a trigger
// refuses every insert into audit_log), the change is rolled back too; when it succeeds, both exist.
describe.each(["postgres", "pglite"] as const)("audit entries and their changes (%s)", (backend) => {
  let platform: TestPlatform;
  let owner: TestUser;
  const site = "https://shop.example";
  beforeAll(async () => {
    platform = await createTestPlatform({}, { backend });
    owner = await signedInUser(platform, `owner-${backend}@audit.test`);
    await sql`create function refuse_audit() returns trigger language plpgsql as $$
      begin
        raise exception 'audit refused';
      end $$`.execute(platform.deps.db);
  });
  afterAll(() => platform.close());

  const auditRefused = async (act: () => Promise<unknown>) => {
    await sql`create trigger refuse_audit before insert on audit_log
      for each row execute function refuse_audit()`.execute(platform.deps.db);
    try {
      await expect(act()).rejects.toThrow();
    } finally {
      await sql`drop trigger refuse_audit on audit_log`.execute(platform.deps.db);
    }
  };
  const count = async (table: "chatbots" | "sessions" | "users", column: string, value: string) =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(
          platform.deps.db,
        )
      ).rows[0]!.n,
    );
  const audits = async (action: string, targetId?: string) =>
    (
      await platform.deps.db
        .selectFrom("audit_log")
        .select("target_id")
        .where("tenant_id", "=", owner.tenantId)
        .where("action", "=", action)
        .execute()
    ).filter((row) => targetId === undefined || row.target_id === targetId).length;

  it("signUp: no account without its tenant.created entry", async () => {
    const signUp = () =>
      platform.browser().auth.signUp.mutate({
        email: `new-${backend}@audit.test`,
        password: TEST_PASSWORD,
        name: "New",
        workspaceName: "New shop",
      });
    await auditRefused(signUp);
    expect(await count("users", "email", `new-${backend}@audit.test`)).toBe(0);
    const { tenant } = await signUp();
    const entries = await platform.deps.db
      .selectFrom("audit_log")
      .select("action")
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(entries.map((e) => e.action)).toEqual(["tenant.created"]);
  });

  it("signIn: no session without its auth.sign_in entry", async () => {
    const sessions = await count("sessions", "user_id", owner.userId);
    const signIns = await audits("auth.sign_in");
    const signIn = () =>
      platform.browser().auth.signIn.mutate({ email: owner.email, password: TEST_PASSWORD });
    await auditRefused(signIn);
    expect(await count("sessions", "user_id", owner.userId)).toBe(sessions);
    await signIn();
    expect(await count("sessions", "user_id", owner.userId)).toBe(sessions + 1);
    expect(await audits("auth.sign_in")).toBe(signIns + 1);
  });

  it("chatbot.create, duplicate and delete: the chatbots change iff their entries are written", async () => {
    const bots = () => count("chatbots", "tenant_id", owner.tenantId);
    await auditRefused(() => owner.browser.chatbot.create.mutate({ name: "Refused" }));
    expect(await bots()).toBe(0);
    const bot = await owner.browser.chatbot.create.mutate({ name: "Kept" });
    expect(await audits("chatbot.created", bot.id)).toBe(1);

    await auditRefused(() => owner.browser.chatbot.duplicate.mutate({ chatbotId: bot.id }));
    expect(await bots()).toBe(1);
    const copy = await owner.browser.chatbot.duplicate.mutate({ chatbotId: bot.id });
    expect(await audits("chatbot.created", copy.id)).toBe(1);

    await auditRefused(() => owner.browser.chatbot.delete.mutate({ chatbotId: copy.id }));
    expect(await bots()).toBe(2);
    await owner.browser.chatbot.delete.mutate({ chatbotId: copy.id });
    expect(await bots()).toBe(1);
    expect(await audits("chatbot.deleted", copy.id)).toBe(1);
  });

  it("conversation.close: the state changes iff its entry is written", async () => {
    const bot = await owner.browser.chatbot.create.mutate({ name: "Support", allowedOrigins: [site] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    const { conversationId } = await startVisitorConversation(platform, bot.publicKey, site);
    const status = async () =>
      (
        await platform.deps.db
          .selectFrom("conversations")
          .select("status")
          .where("id", "=", conversationId)
          .executeTakeFirstOrThrow()
      ).status;
    await auditRefused(() => owner.browser.conversation.close.mutate({ conversationId }));
    expect(await status()).toBe("open");
    await owner.browser.conversation.close.mutate({ conversationId });
    expect(await status()).toBe("closed");
    expect(await audits("conversation.closed", conversationId)).toBe(1);
  });
});
