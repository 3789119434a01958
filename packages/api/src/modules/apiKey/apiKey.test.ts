import { createDb } from "@avatar-chat/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyCache, forgetApiKey, validateApiKey } from "../../auth/api-keys";
import { listenForCredentialChanges } from "../../auth/credential-changes";
import { createTestPlatform, TEST_REDIS_URL, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { expiryRefusal } from "./rules";

describe("apiKey", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@example.com");
    member = await signedInUser(platform, "member@example.com", { tenantId: owner.tenantId, role: "member" });
  });
  afterAll(() => platform.close());

  it("creates a key shown once and lists it without its hash", async () => {
    const created = await owner.browser.apiKey.create.mutate({
      name: "CI",
      scopes: ["read", "read", "chat"],
    });
    expect(created.key).toMatch(/^ack_\w{8}_\w+$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(["read", "chat"]);
    const list = await owner.browser.apiKey.list.query();
    expect(list).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, revoked_at: null }),
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(Object.keys(list[0]!)).not.toContain("key_hash");
    const stored = await platform.deps.db.selectFrom("api_keys").select("key_hash").executeTakeFirstOrThrow();
    expect(Buffer.from(stored.key_hash).toString()).not.toContain(created.key);
  });

  it("refuses members, bad scopes and past expiry dates", async () => {
    await expect(member.browser.apiKey.create.mutate({ name: "x", scopes: ["read"] })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(member.browser.apiKey.list.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(owner.browser.apiKey.create.mutate({ name: "x", scopes: [] })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    await expect(
      // @ts-expect-error: an unknown scope
      owner.browser.apiKey.create.mutate({ name: "x", scopes: ["admin"] }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      owner.browser.apiKey.create.mutate({ name: "x", scopes: ["read"], expiresAt: "2001-01-01T00:00:00Z" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect(expiryRefusal(new Date(Date.now() + 86_400_000), new Date())).toBeNull();
  });

  it("enforces scopes: a read key reads but cannot write", async () => {
    const { key } = await owner.browser.apiKey.create.mutate({ name: "reader", scopes: ["read"] });
    const client = platform.browser({ bearer: key });
    expect((await client.tenant.get.query()).id).toBe(owner.tenantId);
    await expect(client.tenant.rename.mutate({ name: "Hacked" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining('"write"'),
    });
    const writer = platform.browser({
      bearer: (await owner.browser.apiKey.create.mutate({ name: "w", scopes: ["write"] })).key,
    });
    await writer.tenant.rename.mutate({ name: "Renamed by key" });
    await expect(writer.tenant.get.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("cannot do owner-only things, manage keys or members, or leave", async () => {
    const { key } = await owner.browser.apiKey.create.mutate({
      name: "all",
      scopes: ["read", "write", "chat"],
    });
    const client = platform.browser({ bearer: key });
    await expect(
      client.tenant.changeRole.mutate({ userId: member.userId, role: "admin" }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(client.apiKey.create.mutate({ name: "more", scopes: ["write"] })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(client.tenant.removeMember.mutate({ userId: owner.userId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(client.tenant.leave.mutate()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(
      client.tenant.invite.mutate({ email: "intruder@example.com", role: "admin" }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(client.tenant.removeMember.mutate({ userId: member.userId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    expect((await client.apiKey.list.query()).length).toBeGreaterThan(0);
  });

  it("drops a revoked key from every api process's cache at once, not after the cache's 5 s", async () => {
    // Another api process: its own database handle (and key cache) and its own revocation listener.
    const other = await createDb({ url: platform.database.url, poolSize: 2 });
    const otherKeys = createApiKeyCache();
    const subscriber = new Redis(TEST_REDIS_URL);
    const stop = await listenForCredentialChanges(subscriber, platform.deps.config.redisPrefix, {
      keyRevoked: (keyId) => forgetApiKey(otherKeys, keyId),
      userChanged: () => {},
    });
    try {
      const created = await owner.browser.apiKey.create.mutate({ name: "elsewhere", scopes: ["read"] });
      // The other process's clock stays inside the cache entry's lifetime: only the announcement evicts it.
      const now = new Date();
      expect(await validateApiKey(other.kysely, otherKeys, created.key, now)).toMatchObject({
        id: created.id,
      });
      await owner.browser.apiKey.revoke.mutate({ keyId: created.id });
      await expect
        .poll(() => validateApiKey(other.kysely, otherKeys, created.key, now), { timeout: 2000 })
        .toBeNull();
    } finally {
      await stop();
      subscriber.disconnect();
      await other.close();
    }
  });

  it("refuses revoked and expired keys", async () => {
    const revoked = await owner.browser.apiKey.create.mutate({ name: "soon revoked", scopes: ["read"] });
    const client = platform.browser({ bearer: revoked.key });
    await client.tenant.get.query(); // cached now: revocation must still take effect at once
    await owner.browser.apiKey.revoke.mutate({ keyId: revoked.id });
    await expect(client.tenant.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(owner.browser.apiKey.revoke.mutate({ keyId: revoked.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    const listed = (await owner.browser.apiKey.list.query()).find((k) => k.id === revoked.id);
    expect(listed?.revoked_at).not.toBeNull();

    const expiring = await owner.browser.apiKey.create.mutate({
      name: "expiring",
      scopes: ["read"],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await platform.deps.db
      .updateTable("api_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", expiring.id)
      .execute();
    await expect(platform.browser({ bearer: expiring.key }).tenant.get.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
    await expect(platform.browser({ bearer: "ack_nonsense_key" }).tenant.get.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("honours expiry inside the cache window and records last use", async () => {
    const { key, id } = await owner.browser.apiKey.create.mutate({
      name: "cached",
      scopes: ["read"],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const now = new Date();
    expect(await validateApiKey(platform.deps.db, platform.deps.credentials.apiKeys, key, now)).toMatchObject(
      { id },
    );
    expect(
      await validateApiKey(
        platform.deps.db,
        platform.deps.credentials.apiKeys,
        key,
        new Date(now.getTime() + 61_000),
      ),
    ).toBeNull();
    const row = await platform.deps.db
      .selectFrom("api_keys")
      .select("last_used_at")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
  });

  it("audits key creation and revocation", async () => {
    const log = await owner.browser.tenant.auditLog.query({ limit: 100 });
    const actions = log.entries.map((e) => e.action);
    expect(actions).toContain("api_key.created");
    expect(actions).toContain("api_key.revoked");
  });
});
