import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, TEST_REDIS_URL, type TestPlatform } from "../testing";
import { signedInUser } from "../testing-users";
import { listenForCredentialChanges } from "./credential-changes";

// What the realtime service hears: every change that can end a user's sessions or memberships is announced,
// so their open sockets are checked at once instead of at the next 5-minute check.
describe("credential change announcements", () => {
  let platform: TestPlatform;
  const users: string[] = [];
  const keys: string[] = [];
  const subscriber = new Redis(TEST_REDIS_URL);
  let stop: () => Promise<void>;
  beforeAll(async () => {
    platform = await createTestPlatform();
    stop = await listenForCredentialChanges(subscriber, platform.deps.config.redisPrefix, {
      keyRevoked: (keyId) => keys.push(keyId),
      userChanged: (userId) => users.push(userId),
    });
  });
  afterAll(async () => {
    await stop();
    subscriber.disconnect();
    await platform.close();
  });

  it("announces sign-out and sign-out everywhere", async () => {
    const user = await signedInUser(platform, "announced@example.com");
    const other = await signedInUser(platform, "second@example.com");
    await user.browser.auth.signOutEverywhere.mutate();
    await expect.poll(() => users).toContain(user.userId);
    await other.browser.auth.signOut.mutate();
    await expect.poll(() => users).toContain(other.userId);
  });

  it("announces a removed member and one who left, and a revoked key", async () => {
    const owner = await signedInUser(platform, "owner@announce.test");
    const removed = await signedInUser(platform, "removed@announce.test", {
      tenantId: owner.tenantId,
      role: "member",
    });
    const leaving = await signedInUser(platform, "leaving@announce.test", {
      tenantId: owner.tenantId,
      role: "member",
    });
    await owner.browser.tenant.removeMember.mutate({ userId: removed.userId });
    await leaving.browser.tenant.leave.mutate();
    await expect.poll(() => users).toEqual(expect.arrayContaining([removed.userId, leaving.userId]));
    const key = await owner.browser.apiKey.create.mutate({ name: "gone", scopes: ["read"] });
    await owner.browser.apiKey.revoke.mutate({ keyId: key.id });
    await expect.poll(() => keys).toContain(key.id);
  });
});
