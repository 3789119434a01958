import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { monthKey, removalRefusal, roleChangeRefusal } from "./rules";

describe("tenant", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@example.com");
    admin = await signedInUser(platform, "admin@example.com", { tenantId: owner.tenantId, role: "admin" });
    member = await signedInUser(platform, "member@example.com", { tenantId: owner.tenantId, role: "member" });
  });
  afterAll(() => platform.close());

  async function inviteToken(email: string): Promise<string> {
    const mail = await platform.deps.db
      .selectFrom("email_outbox")
      .select("text_body")
      .where("to_address", "=", email)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    return /accept-invite\?token=(\w+)/.exec(mail.text_body)![1]!;
  }

  it("shows plan, limits and usage against them", async () => {
    const db = platform.deps.db;
    const bot = await db
      .insertInto("chatbots")
      .values({
        tenant_id: owner.tenantId,
        name: "Bot",
        public_key: "pk_tenant_test",
        avatar: "{}",
        theme: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("knowledge_sources")
      .values([
        { tenant_id: owner.tenantId, chatbot_id: bot.id, kind: "text", title: "a", size_bytes: 1000 },
        { tenant_id: owner.tenantId, chatbot_id: bot.id, kind: "text", title: "b", size_bytes: 234 },
      ])
      .execute();
    await db
      .insertInto("usage_monthly")
      .values([
        { tenant_id: owner.tenantId, month: monthKey(new Date()), messages: 42 },
        { tenant_id: owner.tenantId, month: "2020-01-01", messages: 999 },
      ])
      .execute();
    const tenant = await member.browser.tenant.get.query();
    expect(tenant).toMatchObject({
      id: owner.tenantId,
      plan: "free",
      limits: { chatbots: 3, messagesPerMonth: 1000, knowledgeBytes: 52_428_800 },
      usage: { chatbots: 1, messagesThisMonth: 42, knowledgeBytes: 1234 },
    });
  });

  it("renames for admins, not for members", async () => {
    await expect(member.browser.tenant.rename.mutate({ name: "Nope" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await admin.browser.tenant.rename.mutate({ name: "Acme" });
    expect((await owner.browser.tenant.get.query()).name).toBe("Acme");
    await expect(admin.browser.tenant.rename.mutate({ name: "" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
  });

  it("sets how long conversations are kept: admins only, within bounds, audited, this workspace only", async () => {
    const other = await signedInUser(platform, "other-retention@example.com");
    expect((await member.browser.tenant.get.query()).conversationRetentionDays).toBeNull(); // off by default
    await expect(member.browser.tenant.setConversationRetention.mutate({ days: 30 })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    for (const days of [0, 3651, 1.5]) {
      await expect(admin.browser.tenant.setConversationRetention.mutate({ days })).rejects.toMatchObject({
        data: { code: "BAD_REQUEST" },
      });
    }
    expect(await admin.browser.tenant.setConversationRetention.mutate({ days: 30 })).toEqual({
      conversationRetentionDays: 30,
    });
    expect((await member.browser.tenant.get.query()).conversationRetentionDays).toBe(30);
    expect((await other.browser.tenant.get.query()).conversationRetentionDays).toBeNull();
    await owner.browser.tenant.setConversationRetention.mutate({ days: null }); // off again
    expect((await owner.browser.tenant.get.query()).conversationRetentionDays).toBeNull();
    const { entries } = await owner.browser.tenant.auditLog.query({ limit: 2 });
    expect(entries.map((e) => [e.action, e.actorEmail, e.detail])).toEqual([
      ["tenant.conversation_retention_changed", "owner@example.com", { from: 30, to: null }],
      ["tenant.conversation_retention_changed", "admin@example.com", { from: null, to: 30 }],
    ]);
  });

  it("lists members with roles", async () => {
    const members = await member.browser.tenant.members.query();
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["owner@example.com", "owner"],
      ["admin@example.com", "admin"],
      ["member@example.com", "member"],
    ]);
  });

  it("changes roles for owners only and never leaves the workspace without an owner", async () => {
    await expect(
      admin.browser.tenant.changeRole.mutate({ userId: member.userId, role: "admin" }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(
      owner.browser.tenant.changeRole.mutate({ userId: owner.userId, role: "admin" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringContaining("owner") });
    await owner.browser.tenant.changeRole.mutate({ userId: member.userId, role: "admin" });
    await owner.browser.tenant.changeRole.mutate({ userId: member.userId, role: "member" });
    await expect(
      owner.browser.tenant.changeRole.mutate({
        userId: "00000000-0000-4000-8000-000000000000",
        role: "admin",
      }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    expect(roleChangeRefusal({ role: "owner" }, "admin", 2)).toBeNull();
    expect(roleChangeRefusal({ role: "owner" }, "member", 1)).not.toBeNull();
  });

  it("invites by email: invitation row, outbox email with the link, queued email job", async () => {
    await expect(
      member.browser.tenant.invite.mutate({ email: "new@example.com", role: "member" }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const invitation = await admin.browser.tenant.invite.mutate({ email: "New@Example.com", role: "admin" });
    expect(invitation).toMatchObject({ email: "new@example.com", role: "admin" });
    const row = await platform.deps.db
      .selectFrom("invitations")
      .select("token_hash")
      .where("id", "=", invitation.id)
      .executeTakeFirstOrThrow();
    const token = await inviteToken("new@example.com");
    expect(Buffer.from(row.token_hash).toString("hex")).not.toContain(token);
    const mail = await platform.deps.db
      .selectFrom("email_outbox")
      .select(["id", "text_body", "kind"])
      .where("to_address", "=", "new@example.com")
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain(`${platform.url}/accept-invite?token=${token}`);
    expect(await platform.deps.queues.email.getJob(`email-${mail.id}`)).toBeTruthy();
    await expect(
      admin.browser.tenant.invite.mutate({ email: "member@example.com", role: "member" }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    const list = await admin.browser.tenant.invitations.query();
    expect(list).toEqual([expect.objectContaining({ id: invitation.id, state: "pending" })]);
    expect(JSON.stringify(list)).not.toContain("token");
  });

  it("accepts an invitation once, for the invited address only, and switches the session", async () => {
    const newcomer = await signedInUser(platform, "new@example.com");
    const stranger = await signedInUser(platform, "stranger@example.com");
    const token = await inviteToken("new@example.com");
    const refusal = await stranger.browser.tenant.acceptInvitation.mutate({ token }).catch((e: Error) => e);
    expect(refusal).toMatchObject({ data: { code: "FORBIDDEN" } });
    expect((refusal as Error).message).not.toContain("new@example.com");
    await expect(platform.browser().tenant.acceptInvitation.mutate({ token })).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
    const accepted = await newcomer.browser.tenant.acceptInvitation.mutate({ token });
    expect(accepted).toEqual({ tenantId: owner.tenantId, role: "admin" });
    expect((await newcomer.browser.auth.me.query()).activeTenantId).toBe(owner.tenantId);
    expect((await newcomer.browser.tenant.get.query()).id).toBe(owner.tenantId);
    await expect(newcomer.browser.tenant.acceptInvitation.mutate({ token })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(
      newcomer.browser.tenant.acceptInvitation.mutate({ token: "nonsense" }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("replaces an address's open invitation when it is invited again, also when two invite at once", async () => {
    const first = await admin.browser.tenant.invite.mutate({ email: "again@example.com", role: "member" });
    const firstToken = await inviteToken("again@example.com");
    const second = await admin.browser.tenant.invite.mutate({ email: "again@example.com", role: "admin" });
    const secondToken = await inviteToken("again@example.com");
    const states = new Map((await admin.browser.tenant.invitations.query()).map((i) => [i.id, i.state]));
    expect([states.get(first.id), states.get(second.id)]).toEqual(["revoked", "pending"]);
    const invitee = await signedInUser(platform, "again@example.com");
    await expect(invitee.browser.tenant.acceptInvitation.mutate({ token: firstToken })).rejects.toMatchObject(
      {
        data: { code: "NOT_FOUND" },
      },
    );

    const racing = await Promise.allSettled(
      [1, 2, 3].map(() => admin.browser.tenant.invite.mutate({ email: "race@example.com", role: "member" })),
    );
    expect(racing.some((r) => r.status === "fulfilled")).toBe(true);
    for (const r of racing.filter((r) => r.status === "rejected"))
      expect(r.reason).toMatchObject({ data: { code: "CONFLICT" } });
    const open = (await admin.browser.tenant.invitations.query()).filter(
      (i) => i.email === "race@example.com" && i.state === "pending",
    );
    expect(open).toHaveLength(1);

    await invitee.browser.tenant.acceptInvitation.mutate({ token: secondToken });
  });

  it("refuses revoked and expired invitations", async () => {
    const late = await signedInUser(platform, "late@example.com");
    const revoked = await admin.browser.tenant.invite.mutate({ email: "late@example.com", role: "member" });
    const revokedToken = await inviteToken("late@example.com");
    await admin.browser.tenant.revokeInvitation.mutate({ invitationId: revoked.id });
    await expect(
      admin.browser.tenant.revokeInvitation.mutate({ invitationId: revoked.id }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(late.browser.tenant.acceptInvitation.mutate({ token: revokedToken })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    const expired = await admin.browser.tenant.invite.mutate({ email: "late@example.com", role: "member" });
    const expiredToken = await inviteToken("late@example.com");
    await platform.deps.db
      .updateTable("invitations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", expired.id)
      .execute();
    await expect(late.browser.tenant.acceptInvitation.mutate({ token: expiredToken })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    const states = (await admin.browser.tenant.invitations.query()).map((i) => [i.id, i.state]);
    expect(states).toContainEqual([revoked.id, "revoked"]);
    expect(states).toContainEqual([expired.id, "expired"]);
  });

  it("removes members: admins not owners, nobody the last owner", async () => {
    const temp = await signedInUser(platform, "temp@example.com", {
      tenantId: owner.tenantId,
      role: "member",
    });
    await expect(member.browser.tenant.removeMember.mutate({ userId: temp.userId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(admin.browser.tenant.removeMember.mutate({ userId: owner.userId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await admin.browser.tenant.removeMember.mutate({ userId: temp.userId });
    await expect(temp.browser.tenant.get.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(admin.browser.tenant.removeMember.mutate({ userId: temp.userId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    expect(removalRefusal("owner", "owner", 1)).not.toBeNull();
    expect(removalRefusal("owner", "owner", 2)).toBeNull();
  });

  it("lets members leave but not the last owner", async () => {
    await expect(owner.browser.tenant.leave.mutate()).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    const leaver = await signedInUser(platform, "leaver@example.com", {
      tenantId: owner.tenantId,
      role: "member",
    });
    await leaver.browser.tenant.leave.mutate();
    expect((await leaver.browser.auth.me.query()).tenants).toEqual([]);
  });

  it("pages the audit log newest first, admins only", async () => {
    await expect(member.browser.tenant.auditLog.query({})).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    const first = await admin.browser.tenant.auditLog.query({ limit: 3 });
    expect(first.entries).toHaveLength(3);
    expect(first.entries[0]!.action).toBe("member.left");
    expect(first.nextCursor).toBe(first.entries[2]!.id);
    const all = [...first.entries];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await admin.browser.tenant.auditLog.query({ limit: 3, cursor });
      all.push(...page.entries);
      cursor = page.nextCursor;
    }
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const actions = new Set(all.map((e) => e.action));
    for (const action of [
      "tenant.renamed",
      "member.role_changed",
      "member.invited",
      "member.joined",
      "invitation.revoked",
      "member.removed",
    ]) {
      expect(actions).toContain(action);
    }
  });
});
