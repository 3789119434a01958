import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStorage } from "../../test/fixtures";
import { DEFAULT_RETENTION, PRUNE_BATCH, processPrune, pruneCutoffs } from "./prune";

const DAY = 86_400_000;
const now = new Date("2026-11-26T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
// No tenant here sets a conversation retention period (conversation-retention.test.ts covers it).
const forgetConversations = async () => {};
const sweepOrphanedChannels = async () => 0;

describe("housekeeping", () => {
  let db: TestDatabase;
  let tenantId: string;
  let userId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    [tenantId] = (await seedTenantsWithChatbots(db.kysely, ["keep"], 0)) as [string];
    userId = (
      await db.kysely
        .insertInto("users")
        .values({ email: "u@prune.test", name: "U", password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => db.drop());

  it("cuts each kind of row off at its own age", () => {
    expect(pruneCutoffs(now, DEFAULT_RETENTION)).toEqual({
      audit: daysAgo(365),
      sessions: daysAgo(7),
      outbox: daysAgo(30),
      voiceInputs: minutesAgo(60),
    });
  });

  it("prunes old audit entries, long-expired sessions and finished old emails, in batches, and keeps the rest", async () => {
    const audit = (days: number, count = 1) =>
      db.kysely
        .insertInto("audit_log")
        .values(
          Array.from({ length: count }, () => ({
            tenant_id: tenantId,
            action: "test.entry",
            created_at: daysAgo(days),
          })) as never, // created_at is not insertable in the schema's types
        )
        .execute();
    await audit(400, PRUNE_BATCH + 10); // more than one batch
    await audit(10);
    const session = (id: string, expiredDaysAgo: number) =>
      db.kysely
        .insertInto("sessions")
        .values({ id, secret_hash: Buffer.from(id), user_id: userId, expires_at: daysAgo(expiredDaysAgo) })
        .execute();
    await session("long-gone", 30);
    await session("just-expired", 1);
    await session("live", -10);
    const email = (status: "pending" | "sent" | "failed", days: number) =>
      db.kysely
        .insertInto("email_outbox")
        .values({
          tenant_id: tenantId,
          kind: "test",
          to_address: `${status}-${days}@prune.test`,
          subject: "s",
          text_body: "t",
          status,
          created_at: daysAgo(days),
        } as never)
        .execute();
    for (const [status, days] of [
      ["sent", 40],
      ["failed", 40],
      ["pending", 40],
      ["sent", 5],
    ] as const)
      await email(status, days);

    const storage = memoryStorage();
    const prune = () =>
      processPrune({
        db: db.kysely,
        storage,
        forgetConversations,
        sweepOrphanedChannels,
        clock: () => now,
        retention: DEFAULT_RETENTION,
      });
    const noConversations = { conversations: 0, messages: 0, recordings: 0 };
    expect(await prune()).toEqual({
      audit: PRUNE_BATCH + 10,
      sessions: 1,
      outbox: 2,
      voiceInputs: 0,
      conversations: noConversations,
      orphanedChannels: 0,
    });

    const left = await db.kysely.selectFrom("audit_log").select("created_at").execute();
    expect(left.map((r) => r.created_at)).toEqual([daysAgo(10)]);
    const sessions = await db.kysely.selectFrom("sessions").select("id").orderBy("id").execute();
    expect(sessions.map((s) => s.id)).toEqual(["just-expired", "live"]);
    const emails = await db.kysely
      .selectFrom("email_outbox")
      .select("to_address")
      .orderBy("to_address")
      .execute();
    expect(emails.map((e) => e.to_address)).toEqual(["pending-40@prune.test", "sent-5@prune.test"]);

    expect(await prune()).toEqual({
      audit: 0,
      sessions: 0,
      outbox: 0,
      voiceInputs: 0,
      conversations: noConversations,
      orphanedChannels: 0,
    });
  });

  it("deletes kept recordings no message linked within the hour, object and row, and keeps the rest", async () => {
    const chatbot = await db.kysely
      .insertInto("chatbots")
      .values({ tenant_id: tenantId, name: "Listener", public_key: "pk_prune", avatar: "{}", theme: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const conversation = await db.kysely
      .insertInto("conversations")
      .values({ tenant_id: tenantId, chatbot_id: chatbot.id, channel: "widget" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const storage = memoryStorage();
    const recording = async (name: string, minutes: number, linked: boolean) => {
      const key = `tenants/${tenantId}/voice-input/${conversation.id}/${name}`;
      storage.put(key, "RIFF");
      const message = linked
        ? await db.kysely
            .insertInto("messages")
            .values({
              tenant_id: tenantId,
              conversation_id: conversation.id,
              role: "user",
              content: name,
              citations: "[]",
              voice_input_key: key,
            })
            .returning("id")
            .executeTakeFirstOrThrow()
        : null;
      await db.kysely
        .insertInto("voice_inputs")
        .values({
          id: crypto.randomUUID(),
          tenant_id: tenantId,
          conversation_id: conversation.id,
          storage_key: key,
          message_id: message?.id ?? null,
          created_at: minutesAgo(minutes),
        })
        .execute();
      return key;
    };
    const abandoned = await recording("abandoned", 90, false);
    const sent = await recording("sent", 90, true);
    const pending = await recording("pending", 5, false);

    const pruned = await processPrune({
      db: db.kysely,
      storage,
      forgetConversations,
      sweepOrphanedChannels,
      clock: () => now,
      retention: DEFAULT_RETENTION,
    });
    expect(pruned.voiceInputs).toBe(1);
    expect([abandoned, sent, pending].map((key) => storage.etag(key) !== null)).toEqual([false, true, true]);
    const rows = await db.kysely
      .selectFrom("voice_inputs")
      .select("storage_key")
      .orderBy("storage_key")
      .execute();
    expect(rows.map((r) => r.storage_key)).toEqual([pending, sent]);
  });
});
