import type { UsageKind } from "@avatar-chat/db";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedConversation } from "../../test/fixtures";
import { processRollup, rollupDay, rollupDays } from "./rollup";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

describe("rollupDays", () => {
  it("folds yesterday and today when no day is given", () => {
    expect(rollupDays(undefined, new Date("2026-03-01T00:00:30Z"))).toEqual(["2026-02-28", "2026-03-01"]);
    expect(rollupDays("2026-01-05", new Date())).toEqual(["2026-01-05"]);
  });
});

describe("analytics roll-up", () => {
  it("fails a malformed payload without retrying", async () => {
    await expect(
      processRollup({ db: db.kysely, clock: () => new Date() }, { day: "yesterday" }),
    ).rejects.toMatchObject({
      name: "UnrecoverableError",
    });
  });

  it("folds a day's events into usage_daily per chatbot, idempotently", async () => {
    const a = await seedConversation(db.kysely);
    const b = await seedConversation(db.kysely);
    const at = (time: string) => new Date(`2026-04-10T${time}Z`);
    const event = (
      seeded: typeof a,
      kind: UsageKind,
      occurred: Date,
      extra: {
        prompt?: number;
        completion?: number;
        latency?: number;
        value?: number;
        question?: string;
      } = {},
    ) => ({
      tenant_id: seeded.tenantId,
      chatbot_id: seeded.chatbotId,
      conversation_id: seeded.conversationId,
      kind,
      prompt_tokens: extra.prompt ?? 0,
      completion_tokens: extra.completion ?? 0,
      latency_ms: extra.latency ?? null,
      value: extra.value ?? 1,
      detail: JSON.stringify(extra.question ? { question: extra.question } : {}),
      occurred_at: occurred,
    });
    await db.kysely
      .insertInto("usage_events")
      .values([
        event(a, "conversation", at("08:00:00")),
        event(a, "user_message", at("08:00:01")),
        event(a, "user_message", at("09:00:00")),
        event(a, "user_message", at("10:00:00")),
        ...[100, 200, 300, 400].map((latency, i) =>
          event(a, "assistant_message", at(`1${i}:00:02`), { prompt: 50, completion: 20, latency }),
        ),
        event(a, "feedback", at("11:00:00"), { value: 1 }),
        event(a, "feedback", at("11:00:01"), { value: 1 }),
        event(a, "feedback", at("11:00:02"), { value: -1 }),
        event(a, "unanswered", at("12:00:00"), { question: "Do you sell boats?" }),
        event(a, "unanswered", at("13:00:00"), { question: "Open on Sunday?" }),
        event(a, "transcription", at("14:00:00")),
        event(a, "transcription", at("14:00:10")),
        // Another day and another chatbot stay apart.
        event(a, "user_message", new Date("2026-04-11T00:00:00Z")),
        event(a, "user_message", new Date("2026-04-09T23:59:59Z")),
        event(b, "user_message", at("08:00:00")),
      ])
      .execute();

    await rollupDay(db.kysely, "2026-04-10");
    const read = () =>
      db.kysely
        .selectFrom("usage_daily")
        .selectAll()
        .where("day", "=", "2026-04-10")
        .orderBy("chatbot_id")
        .execute();
    const first = await read();
    const rowA = first.find((r) => r.chatbot_id === a.chatbotId);
    expect(rowA).toMatchObject({
      tenant_id: a.tenantId,
      day: "2026-04-10",
      conversations: 1,
      user_messages: 3,
      assistant_messages: 4,
      prompt_tokens: 200,
      completion_tokens: 80,
      latency_p50_ms: 250,
      latency_p95_ms: 385,
      feedback_up: 2,
      feedback_down: 1,
      unanswered: 2,
      unanswered_questions: ["Open on Sunday?", "Do you sell boats?"],
      transcriptions: 2,
    });
    expect(first.find((r) => r.chatbot_id === b.chatbotId)).toMatchObject({
      user_messages: 1,
      latency_p50_ms: null,
    });

    // Recomputing gives the same numbers; a late event is folded in, not double-counted.
    await db.kysely
      .insertInto("usage_events")
      .values(event(a, "user_message", at("23:00:00")))
      .execute();
    await processRollup({ db: db.kysely, clock: () => new Date() }, { day: "2026-04-10" });
    await rollupDay(db.kysely, "2026-04-10");
    const second = await read();
    expect(second).toHaveLength(2);
    expect(second.find((r) => r.chatbot_id === a.chatbotId)).toMatchObject({
      ...rowA,
      user_messages: 4,
      updated_at: expect.any(Date),
    });
  });
});
