import { createDb, type Db } from "@avatar-chat/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, TEST_REDIS_URL, type TestPlatform } from "../testing";
import { signedInUser, TEST_PASSWORD, type TestUser } from "../testing-users";
import {
  createCredentialCaches,
  evictCachedCredentials,
  listenForCredentialChanges,
} from "./credential-changes";
import { SESSION_CACHE_MS } from "./session-cache";
import { createSession, SESSION_COOKIE, validateSessionToken } from "./sessions";

// Sessions are cached per process for a few seconds; what ends a session or changes it must reach every
// process's cache at once. "Another process" is what one is to the cache: its own database handle and its
// own listener on the credential-change channel. Its clock stays inside the cache entry's lifetime, so only
// an eviction can make it read the row again.
describe("session cache", () => {
  let platform: TestPlatform;
  let other: Db;
  const otherCaches = createCredentialCaches();
  const subscriber = new Redis(TEST_REDIS_URL);
  let stop: () => Promise<void>;
  const context = { userAgent: null, ip: null, activeTenantId: null };

  beforeAll(async () => {
    platform = await createTestPlatform();
    other = await createDb({ url: platform.database.url!, poolSize: 2 });
    stop = await listenForCredentialChanges(
      subscriber,
      platform.deps.config.redisPrefix,
      evictCachedCredentials(otherCaches),
    );
  });
  afterAll(async () => {
    await stop();
    subscriber.disconnect();
    await other.close();
    await platform.close();
  });

  const ttl = () => platform.deps.config.sessionTtlMs;
  /** A second session of the user (another device), its token as its cookie holds it. */
  const anotherDevice = async (user: TestUser) =>
    (await createSession(platform.deps.db, user.userId, ttl(), new Date(), context)).token;
  /** Reads the token on the other process now and at `at` (inside the entry's lifetime). */
  const onOther = (token: string, at: Date) =>
    validateSessionToken(other.kysely, otherCaches.sessions, token, ttl(), at);
  /** A tRPC call with a given session cookie, as that device's browser makes it. */
  const callWith = (token: string, path: string, input: unknown) =>
    fetch(`${platform.url}/trpc/${path}`, {
      method: "POST",
      headers: {
        cookie: `${SESSION_COOKIE}=${token}`,
        origin: platform.origin,
        "content-type": "application/json",
      },
      body: JSON.stringify(input),
    });

  it("keeps a checked session for a few seconds, checking the secret and expiry on every read", async () => {
    const user = await signedInUser(platform, "cached@session.test");
    const token = await anotherDevice(user);
    const now = new Date();
    expect(await onOther(token, now)).toMatchObject({ user_id: user.userId });
    const [id, secret] = token.split(".");
    expect(await onOther(`${id}.${secret!.replace(/.$/, (c) => (c === "a" ? "b" : "a"))}`, now)).toBeNull();
    expect(await onOther(token, new Date(now.getTime() + SESSION_CACHE_MS - 1))).not.toBeNull();
    expect(await onOther(token, new Date(now.getTime() + ttl() + 1))).toBeNull();
  });

  it("refuses a revoked session on another process at once", async () => {
    const user = await signedInUser(platform, "revoked@session.test");
    const token = await anotherDevice(user);
    const now = new Date();
    expect(await onOther(token, now)).not.toBeNull();
    const sessions = await user.browser.auth.sessions.query();
    const revoked = sessions.find((s) => token.startsWith(`${s.id}.`))!;
    await user.browser.auth.revokeSession.mutate({ sessionId: revoked.id });
    await expect.poll(() => onOther(token, now), { timeout: 2000 }).toBeNull();
  });

  it("refuses every session on another process at once after sign-out everywhere and a new password", async () => {
    const user = await signedInUser(platform, "everywhere@session.test");
    const token = await anotherDevice(user);
    const now = new Date();
    expect(await onOther(token, now)).not.toBeNull();
    await user.browser.auth.changePassword.mutate({
      currentPassword: TEST_PASSWORD,
      newPassword: "a brand new passphrase",
    });
    await expect.poll(() => onOther(token, now), { timeout: 2000 }).toBeNull();

    const second = await anotherDevice(user);
    expect(await onOther(second, now)).not.toBeNull();
    await user.browser.auth.signOutEverywhere.mutate();
    await expect.poll(() => onOther(second, now), { timeout: 2000 }).toBeNull();
  });

  it("refuses a signed-out session on the process that signed it out, at once", async () => {
    const user = await signedInUser(platform, "signout@session.test");
    const token = await anotherDevice(user);
    const me = await fetch(`${platform.url}/trpc/auth.me`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: platform.origin },
    });
    expect(me.status).toBe(200);
    expect((await callWith(token, "auth.signOut", {})).status).toBe(200);
    const after = await fetch(`${platform.url}/trpc/auth.me`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: platform.origin },
    });
    expect(after.status).toBe(401);
  });

  it("sees another workspace chosen, on every process, at once", async () => {
    const user = await signedInUser(platform, "switch@session.test");
    const second = await signedInUser(platform, "switch-owner@session.test");
    await platform.deps.db
      .insertInto("memberships")
      .values({ tenant_id: second.tenantId, user_id: user.userId, role: "member" })
      .execute();
    const token = await anotherDevice(user);
    expect((await callWith(token, "auth.switchTenant", { tenantId: user.tenantId })).status).toBe(200);
    const now = new Date();
    expect(await onOther(token, now)).toMatchObject({ active_tenant_id: user.tenantId });
    expect((await callWith(token, "auth.switchTenant", { tenantId: second.tenantId })).status).toBe(200);
    const tenant = await fetch(`${platform.url}/trpc/tenant.get`, {
      headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: platform.origin },
    });
    expect(((await tenant.json()) as { result: { data: { id: string } } }).result.data.id).toBe(
      second.tenantId,
    );
    await expect
      .poll(async () => (await onOther(token, now))?.active_tenant_id, { timeout: 2000 })
      .toBe(second.tenantId);
  });
});
