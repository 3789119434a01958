import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY_CACHE_MS,
  API_KEY_REFRESH_AHEAD_MS,
  createApiKeyCache,
  forgetApiKey,
  generateApiKey,
  validateApiKey,
} from "./api-keys";

describe("validateApiKey's cache", () => {
  let db: TestDatabase;
  let tenantId: string;
  const cache = createApiKeyCache();
  beforeAll(async () => {
    db = await createTestDatabase();
    tenantId = (
      await db.kysely
        .insertInto("tenants")
        .values({ name: "Keys", slug: "keys" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => db.drop());

  async function newKey() {
    const generated = generateApiKey();
    const row = await db.kysely
      .insertInto("api_keys")
      .values({
        tenant_id: tenantId,
        name: "k",
        prefix: generated.prefix,
        key_hash: generated.hash,
        scopes: ["read"],
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { key: generated.key, id: row.id };
  }
  const revokeInDatabase = (id: string) =>
    db.kysely.updateTable("api_keys").set({ revoked_at: new Date() }).where("id", "=", id).execute();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("re-reads a key in use before its entry lapses, and learns of a revocation from that read", async () => {
    const { key, id } = await newKey();
    const t0 = Date.now();
    expect(await validateApiKey(db.kysely, cache, key, new Date(t0))).toMatchObject({ id });
    await revokeInDatabase(id); // by another api process: this one only learns by reading
    // Still cached and not yet near its end: served without a read.
    expect(await validateApiKey(db.kysely, cache, key, new Date(t0 + 1_000))).toMatchObject({ id });
    // Near its end: still served from the cache, while the background read finds the revocation.
    const nearEnd = t0 + API_KEY_CACHE_MS - API_KEY_REFRESH_AHEAD_MS / 2;
    expect(await validateApiKey(db.kysely, cache, key, new Date(nearEnd))).toMatchObject({ id });
    await settle();
    expect(await validateApiKey(db.kysely, cache, key, new Date(nearEnd + 1))).toBeNull();
  });

  it("keeps a busy key cached without a wait when nothing changed", async () => {
    const { key, id } = await newKey();
    const t0 = Date.now();
    await validateApiKey(db.kysely, cache, key, new Date(t0));
    await validateApiKey(db.kysely, cache, key, new Date(t0 + API_KEY_CACHE_MS - 10));
    await settle();
    // The refreshed entry now lives past the first one's end.
    await revokeInDatabase(id);
    expect(await validateApiKey(db.kysely, cache, key, new Date(t0 + API_KEY_CACHE_MS + 500))).toMatchObject({
      id,
    });
  });

  it("does not let a read that began before a revocation put the key back", async () => {
    const { key, id } = await newKey();
    const t0 = Date.now();
    const reading = validateApiKey(db.kysely, cache, key, new Date(t0)); // a miss: reads the row (still valid)
    forgetApiKey(cache, id); // revoked on this process while that read is in flight
    await revokeInDatabase(id);
    await reading;
    expect(await validateApiKey(db.kysely, cache, key, new Date(t0 + 10))).toBeNull();
  });
});
