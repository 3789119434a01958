import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "@avatar-chat/db/testing";
import { channelKeys, conversationChannel } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomPrefix, streamConversation, testRedis } from "../../test/fixtures";
import { sweepOrphanedChannels } from "./orphaned-channels";

describe.each(["postgres", "pglite"] as const)("orphaned realtime channels (%s)", (backend) => {
  let db: TestDatabase;
  let redis: Redis;
  const prefix = randomPrefix();
  beforeAll(async () => {
    db = await createTestDatabase({ backend });
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await db.drop();
  });
  const streamed = (conversationId: string) => streamConversation(redis, conversationId, prefix);
  const keysLeft = async (conversationId: string) => {
    const keys = channelKeys(conversationChannel(conversationId), prefix);
    return redis.exists(keys.stream, keys.sequence);
  };

  it("deletes the realtime keys of conversations that no longer exist, and only those", async () => {
    const [tenantId] = (await seedTenantsWithChatbots(db.kysely, ["sweep"], 1)) as [string];
    const { id: chatbotId } = await db.kysely
      .selectFrom("chatbots")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    const { id: kept } = await db.kysely
      .insertInto("conversations")
      .values({ tenant_id: tenantId, chatbot_id: chatbotId })
      .returning("id")
      .executeTakeFirstOrThrow();
    // A conversation deleted while Redis was unreachable, and a channel that can be no conversation at all.
    const deleted = crypto.randomUUID();
    for (const id of [kept, deleted, "not-a-uuid"]) await streamed(id);

    expect(await sweepOrphanedChannels(db.kysely, redis, prefix)).toBe(2);
    expect(await keysLeft(kept)).toBe(2);
    expect(await keysLeft(deleted)).toBe(0);
    expect(await keysLeft("not-a-uuid")).toBe(0);
    expect(await sweepOrphanedChannels(db.kysely, redis, prefix)).toBe(0);
  });
});
