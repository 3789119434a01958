import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnotherApiProcess,
  createTestPlatform,
  startAnotherApiProcess,
  type TestPlatform,
} from "../testing";
import { signedInUser, type TestUser } from "../testing-users";
import { createSessionCache, SESSION_CACHE_MS } from "./session-cache";
import { createSession, SESSION_COOKIE, validateSessionToken } from "./sessions";

// A member's role in the active workspace is kept with their cached session. Whatever changes it through
// the api (a new role, removal, leaving, another workspace) must reach every api process at once: here a
// second process whose clock stands still, so only an eviction can make it read the membership again.
describe("a member's role on every api process", () => {
  let platform: TestPlatform;
  let other: AnotherApiProcess;
  let otherNow = new Date();

  beforeAll(async () => {
    platform = await createTestPlatform();
    other = await startAnotherApiProcess(platform, () => otherNow);
  });
  afterAll(async () => {
    await other.close();
    await platform.close();
  });

  /** A member of `owner`'s workspace with `role`, and the token of a session of theirs (another device). */
  async function memberOf(owner: TestUser, email: string, role: "admin" | "member") {
    const user = await signedInUser(platform, email, { tenantId: owner.tenantId, role });
    const { token } = await createSession(
      platform.deps.db,
      user.userId,
      platform.deps.config.sessionTtlMs,
      new Date(),
      { userAgent: null, ip: null, activeTenantId: owner.tenantId },
    );
    return { ...user, token };
  }
  /** The HTTP status of a query made with the session `token` on the process at `url`. */
  const statusOf = async (url: string, token: string, path: string) =>
    (await fetch(`${url}/trpc/${path}`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).status;
  /** An admin-only read (API keys), as the other process answers it. */
  const adminReadOnOther = (token: string) => statusOf(other.url, token, "apiKey.list");

  it("keeps the role with the cached session: a change made behind the api's back waits for the cache", async () => {
    const owner = await signedInUser(platform, "owner@cached-role.test");
    const member = await memberOf(owner, "member@cached-role.test", "member");
    otherNow = new Date();
    expect(await adminReadOnOther(member.token)).toBe(403);
    // Promoted in SQL, with no announcement: the other process answers from its cache, reading nothing.
    await platform.deps.db
      .updateTable("memberships")
      .set({ role: "admin" })
      .where("tenant_id", "=", owner.tenantId)
      .where("user_id", "=", member.userId)
      .execute();
    expect(await adminReadOnOther(member.token)).toBe(403);
    // The cache's lifetime is the backstop: once it lapses the membership is read again.
    otherNow = new Date(otherNow.getTime() + SESSION_CACHE_MS);
    expect(await adminReadOnOther(member.token)).toBe(200);
  });

  it("reads the role with the session, and again with a renewed one", async () => {
    const owner = await signedInUser(platform, "owner@renewed.test");
    const admin = await memberOf(owner, "admin@renewed.test", "admin");
    const ttl = platform.deps.config.sessionTtlMs;
    const check = (at: Date) =>
      validateSessionToken(platform.deps.db, createSessionCache(), admin.token, ttl, at);
    expect(await check(new Date())).toMatchObject({ active_tenant_id: owner.tenantId, role: "admin" });
    const late = new Date(Date.now() + ttl * 0.75);
    const renewed = await check(late);
    expect(renewed).toMatchObject({ role: "admin", expires_at: new Date(late.getTime() + ttl) });
  });

  it("takes a demotion and a promotion on every process at once", async () => {
    const owner = await signedInUser(platform, "owner@demoted.test");
    const admin = await memberOf(owner, "admin@demoted.test", "admin");
    otherNow = new Date();
    expect(await adminReadOnOther(admin.token)).toBe(200);
    await owner.browser.tenant.changeRole.mutate({ userId: admin.userId, role: "member" });
    await expect.poll(() => adminReadOnOther(admin.token), { timeout: 2000 }).toBe(403);
    expect(await statusOf(other.url, admin.token, "tenant.get")).toBe(200);
    await owner.browser.tenant.changeRole.mutate({ userId: admin.userId, role: "admin" });
    await expect.poll(() => adminReadOnOther(admin.token), { timeout: 2000 }).toBe(200);
  });

  it("refuses a removed member and one who left on every process at once", async () => {
    const owner = await signedInUser(platform, "owner@removed.test");
    const removed = await memberOf(owner, "removed@removed.test", "admin");
    const leaving = await memberOf(owner, "leaving@removed.test", "admin");
    otherNow = new Date();
    expect(await adminReadOnOther(removed.token)).toBe(200);
    expect(await adminReadOnOther(leaving.token)).toBe(200);
    await owner.browser.tenant.removeMember.mutate({ userId: removed.userId });
    await leaving.browser.tenant.leave.mutate();
    for (const token of [removed.token, leaving.token]) {
      await expect.poll(() => statusOf(other.url, token, "tenant.get"), { timeout: 2000 }).toBe(403);
    }
  });

  it("takes the role of the workspace an accepted invitation switches to, not the one before", async () => {
    const owner = await signedInUser(platform, "owner@invited.test");
    const invitee = await signedInUser(platform, "invitee@invited.test");
    const { token } = await createSession(
      platform.deps.db,
      invitee.userId,
      platform.deps.config.sessionTtlMs,
      new Date(),
      { userAgent: null, ip: null, activeTenantId: invitee.tenantId },
    );
    otherNow = new Date();
    // The owner of their own workspace, cached as such on the other process.
    expect(await adminReadOnOther(token)).toBe(200);
    await owner.browser.tenant.invite.mutate({ email: invitee.email, role: "member" });
    const mail = await platform.deps.db
      .selectFrom("email_outbox")
      .select("text_body")
      .where("to_address", "=", invitee.email)
      .executeTakeFirstOrThrow();
    const invitation = /accept-invite\?token=(\w+)/.exec(mail.text_body)![1]!;
    const accepted = await fetch(`${platform.url}/trpc/tenant.acceptInvitation`, {
      method: "POST",
      headers: {
        cookie: `${SESSION_COOKIE}=${token}`,
        origin: platform.origin,
        "content-type": "application/json",
      },
      body: JSON.stringify({ token: invitation }),
    });
    expect(accepted.status).toBe(200);
    await expect.poll(() => adminReadOnOther(token), { timeout: 2000 }).toBe(403);
    const tenant = await fetch(`${other.url}/trpc/tenant.get`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}` },
    });
    expect(((await tenant.json()) as { result: { data: { id: string } } }).result.data.id).toBe(
      owner.tenantId,
    );
  });
});
