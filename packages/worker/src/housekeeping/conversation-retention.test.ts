import type { Database } from "@avatar-chat/db";
import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "@avatar-chat/db/testing";
import { channelKeys, conversationChannel, forgetConversationChannels } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import type { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStorage, randomPrefix, streamConversation, testRedis } from "../../test/fixtures";
import { rollupDay } from "../analytics/rollup";
import { deleteExpiredConversations } from "./conversation-retention";
import { sweepOrphanedChannels } from "./orphaned-channels";
import { DEFAULT_RETENTION, processPrune } from "./prune";

const DAY = 86_400_000;
const now = new Date("2026-11-26T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

describe.each(["postgres", "pglite"] as const)("conversation retention (%s)", (backend) => {
  let db: TestDatabase;
  let kysely: Kysely<Database>;
  let redis: Redis;
  const prefix = randomPrefix();
  beforeAll(async () => {
    db = await createTestDatabase({ backend });
    kysely = db.kysely;
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await db.drop();
  });
  /** The conversation's realtime stream, as the worker leaves it after streaming a reply. */
  const streamed = (conversationId: string) => streamConversation(redis, conversationId, prefix);
  const streamLeft = async (conversationId: string) =>
    (await redis.exists(channelKeys(conversationChannel(conversationId), prefix).stream)) === 1;

  it("deletes the expired conversations of tenants that set a period, with messages and recordings, and nothing else", async () => {
    // 30 days: the tenant under test; 365 days and no period at all: their old conversations stay.
    const [shortId, longId, unsetId] = (await seedTenantsWithChatbots(
      kysely,
      ["short", "long", "unset"],
      1,
    )) as [string, string, string];
    await kysely
      .updateTable("tenants")
      .set({ conversation_retention_days: 30 })
      .where("id", "=", shortId)
      .execute();
    await kysely
      .updateTable("tenants")
      .set({ conversation_retention_days: 365 })
      .where("id", "=", longId)
      .execute();
    const chatbotOf = async (tenantId: string) =>
      (
        await kysely
          .selectFrom("chatbots")
          .select("id")
          .where("tenant_id", "=", tenantId)
          .executeTakeFirstOrThrow()
      ).id;
    const storage = memoryStorage();

    /** A conversation last active `days` ago: a spoken question (recording kept), a cited and rated answer,
     * a recording the visitor never sent, and the usage events the analytics roll-up reads. */
    const conversation = async (
      tenantId: string,
      name: string,
      days: number,
      state: { handoff?: "bot" | "requested" | "agent"; status?: "open" | "closed" } = {},
    ) => {
      const chatbotId = await chatbotOf(tenantId);
      const { id } = await kysely
        .insertInto("conversations")
        .values({
          tenant_id: tenantId,
          chatbot_id: chatbotId,
          title: name,
          handoff: state.handoff ?? "bot",
          status: state.status ?? "open",
          message_count: 3,
          last_message_at: daysAgo(days),
          created_at: daysAgo(days + 1),
        } as never) // created_at is not insertable in the schema's types
        .returning("id")
        .executeTakeFirstOrThrow();
      const spoken = `tenants/${tenantId}/voice-input/${id}/spoken`;
      const unsent = `tenants/${tenantId}/voice-input/${id}/unsent`;
      storage.put(spoken, "RIFF");
      storage.put(unsent, "RIFF");
      const question = await kysely
        .insertInto("messages")
        .values({
          tenant_id: tenantId,
          conversation_id: id,
          role: "user",
          content: `${name}: how long to Norway?`,
          citations: "[]",
          voice_input_key: spoken,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const answer = await kysely
        .insertInto("messages")
        .values({
          tenant_id: tenantId,
          conversation_id: id,
          role: "assistant",
          content: "Three days.",
          reply_to: question.id,
          citations: JSON.stringify([
            { sourceId: crypto.randomUUID(), title: "Shipping", snippet: "3 days" },
          ]),
          feedback: 1,
          feedback_comment: "thanks",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await kysely
        .insertInto("messages")
        .values({
          tenant_id: tenantId,
          conversation_id: id,
          role: "system",
          content: "note",
          citations: "[]",
        })
        .execute();
      await kysely
        .insertInto("voice_inputs")
        .values([
          {
            id: crypto.randomUUID(),
            tenant_id: tenantId,
            conversation_id: id,
            storage_key: spoken,
            message_id: question.id,
          },
          {
            id: crypto.randomUUID(),
            tenant_id: tenantId,
            conversation_id: id,
            storage_key: unsent,
            message_id: null,
          },
        ])
        .execute();
      await kysely
        .insertInto("usage_events")
        .values([
          {
            tenant_id: tenantId,
            chatbot_id: chatbotId,
            conversation_id: id,
            kind: "conversation",
            detail: "{}",
          },
          {
            tenant_id: tenantId,
            chatbot_id: chatbotId,
            conversation_id: id,
            message_id: answer.id,
            kind: "assistant_message",
            detail: "{}",
          },
        ] as never)
        .execute();
      await streamed(id);
      return { id, keys: [spoken, unsent] };
    };

    const expired = [
      await conversation(shortId, "old", 31),
      await conversation(shortId, "ancient", 400),
      await conversation(shortId, "taken over, closed", 40, { handoff: "agent", status: "closed" }),
    ];
    const kept = [
      await conversation(shortId, "recent", 29),
      await conversation(shortId, "with an agent", 40, { handoff: "agent" }),
      await conversation(shortId, "asking for a person", 40, { handoff: "requested" }),
      await conversation(longId, "long period", 40),
      await conversation(unsetId, "no period", 400),
    ];
    await kysely
      .insertInto("usage_daily")
      .values({
        tenant_id: shortId,
        chatbot_id: await chatbotOf(shortId),
        day: "2026-10-01",
        conversations: 3,
        user_messages: 3,
        assistant_messages: 3,
        unanswered_questions: "[]",
      })
      .execute();
    const rollUps = await kysely.selectFrom("usage_daily").selectAll().execute();
    const events = await kysely
      .selectFrom("usage_events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .execute();

    // Two messages a transaction: each conversation (3 messages) takes two, so batches split conversations.
    const run = () =>
      deleteExpiredConversations(kysely, storage, forgetConversationChannels(redis, prefix), now, {
        messages: 2,
        conversations: 2,
      });
    expect(await run()).toEqual({ conversations: 3, messages: 9, recordings: 6 });

    const titles = await kysely.selectFrom("conversations").select("title").orderBy("title").execute();
    expect(titles.map((t) => t.title)).toEqual(
      ["asking for a person", "long period", "no period", "recent", "with an agent"].sort(),
    );
    const messagesLeft = await kysely
      .selectFrom("messages")
      .select("conversation_id")
      .where(
        "conversation_id",
        "in",
        expired.map((c) => c.id),
      )
      .execute();
    expect(messagesLeft).toEqual([]);
    const recordings = await kysely.selectFrom("voice_inputs").select("conversation_id").execute();
    expect(new Set(recordings.map((r) => r.conversation_id))).toEqual(new Set(kept.map((c) => c.id)));
    for (const c of expired) for (const key of c.keys) expect(storage.etag(key), key).toBeNull();
    for (const c of kept) for (const key of c.keys) expect(storage.etag(key), key).not.toBeNull();
    // Redis forgets the deleted conversations' recent events too.
    expect(await Promise.all(expired.map((c) => streamLeft(c.id)))).toEqual(expired.map(() => false));
    expect(await Promise.all(kept.map((c) => streamLeft(c.id)))).toEqual(kept.map(() => true));
    // Analytics stay as they were: roll-ups untouched, usage events kept without the deleted conversation.
    expect(await kysely.selectFrom("usage_daily").selectAll().execute()).toEqual(rollUps);
    expect(
      await kysely
        .selectFrom("usage_events")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .execute(),
    ).toEqual(events);

    // Idempotent: a second run finds nothing and changes nothing.
    expect(await run()).toEqual({ conversations: 0, messages: 0, recordings: 0 });
    expect(await kysely.selectFrom("conversations").select("id").execute()).toHaveLength(kept.length);
  });

  it("leaves no text of a deleted conversation's unanswered questions or feedback anywhere, and keeps the counts", async () => {
    const [tenantId] = (await seedTenantsWithChatbots(kysely, ["private"], 1)) as [string];
    await kysely
      .updateTable("tenants")
      .set({ conversation_retention_days: 30 })
      .where("id", "=", tenantId)
      .execute();
    const { id: chatbotId } = await kysely
      .selectFrom("chatbots")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    const secret = "SECRET-7f3a";
    /** A conversation whose one question went unanswered and whose answer was rated with a comment, that day. */
    const unanswered = async (question: string, comment: string, days: number) => {
      const { id } = await kysely
        .insertInto("conversations")
        .values({ tenant_id: tenantId, chatbot_id: chatbotId, last_message_at: daysAgo(days) })
        .returning("id")
        .executeTakeFirstOrThrow();
      const asked = await kysely
        .insertInto("messages")
        .values({
          tenant_id: tenantId,
          conversation_id: id,
          role: "user",
          content: question,
          citations: "[]",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const answer = await kysely
        .insertInto("messages")
        .values({
          tenant_id: tenantId,
          conversation_id: id,
          role: "assistant",
          content: "I don't know.",
          reply_to: asked.id,
          citations: "[]",
          feedback: -1,
          feedback_comment: comment,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const event = {
        tenant_id: tenantId,
        chatbot_id: chatbotId,
        conversation_id: id,
        message_id: answer.id,
      };
      await kysely
        .insertInto("usage_events")
        .values([
          {
            ...event,
            kind: "unanswered",
            detail: JSON.stringify({ question }),
            occurred_at: "2026-10-01T10:00:00Z",
          },
          {
            ...event,
            kind: "feedback",
            value: -1,
            detail: JSON.stringify({ rating: "down", comment }),
            occurred_at: "2026-10-01T10:01:00Z",
          },
        ])
        .execute();
      return id;
    };
    await unanswered(`${secret} is my passport number, can I fly?`, `${secret} useless`, 40);
    await unanswered("Do you ship to Norway?", "not helpful", 5);
    await rollupDay(kysely, "2026-10-01");
    const counts = () =>
      kysely
        .selectFrom("usage_daily")
        .select(["unanswered", "feedback_down", "unanswered_questions"])
        .where("tenant_id", "=", tenantId)
        .executeTakeFirstOrThrow();
    expect(await counts()).toEqual({
      unanswered: 2,
      feedback_down: 2,
      unanswered_questions: ["Do you ship to Norway?", `${secret} is my passport number, can I fly?`],
    });

    await deleteExpiredConversations(kysely, memoryStorage(), forgetConversationChannels(redis, prefix), now);
    // Every table of the database, read whole: the deleted conversation's words are nowhere.
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(kysely);
    for (const { name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(name)}`.execute(kysely);
      expect(JSON.stringify(rows.rows), name).not.toContain(secret);
    }
    // The counts stay, and the kept conversation's question is still listed; re-rolling the day agrees.
    const expected = { unanswered: 2, feedback_down: 2, unanswered_questions: ["Do you ship to Norway?"] };
    expect(await counts()).toEqual(expected);
    await rollupDay(kysely, "2026-10-01");
    expect(await counts()).toEqual(expected);
  });

  it("runs in the worker's housekeeping job", async () => {
    const [tenantId] = (await seedTenantsWithChatbots(kysely, ["weekly"], 1)) as [string];
    await kysely
      .updateTable("tenants")
      .set({ conversation_retention_days: 7 })
      .where("id", "=", tenantId)
      .execute();
    const chatbot = await kysely
      .selectFrom("chatbots")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    await kysely
      .insertInto("conversations")
      .values(
        [8, 6].map((days) => ({
          tenant_id: tenantId,
          chatbot_id: chatbot.id,
          last_message_at: daysAgo(days),
        })),
      )
      .execute();
    const pruned = await processPrune({
      db: kysely,
      storage: memoryStorage(),
      forgetConversations: forgetConversationChannels(redis, prefix),
      sweepOrphanedChannels: () => sweepOrphanedChannels(kysely, redis, prefix),
      clock: () => now,
      retention: DEFAULT_RETENTION,
    });
    expect(pruned.conversations).toEqual({ conversations: 1, messages: 0, recordings: 0 });
    const left = await kysely
      .selectFrom("conversations")
      .select("last_message_at")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(left.map((c) => c.last_message_at)).toEqual([daysAgo(6)]);
  });
});
