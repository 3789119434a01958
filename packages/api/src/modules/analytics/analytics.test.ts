import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { daysBetween, topUnanswered } from "./rules";

describe("analytics", () => {
  let platform: TestPlatform;
  let user: TestUser;
  let other: TestUser;
  let botA: string;
  let botB: string;
  let foreignBot: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    user = await signedInUser(platform, "ana@example.com");
    other = await signedInUser(platform, "other@example.com");
    const db = platform.deps.db;
    const bot = (tenantId: string, key: string) =>
      db
        .insertInto("chatbots")
        .values({ tenant_id: tenantId, name: key, public_key: key, avatar: "{}", theme: "{}" })
        .returning("id")
        .executeTakeFirstOrThrow()
        .then((r) => r.id);
    botA = await bot(user.tenantId, "pk_a");
    botB = await bot(user.tenantId, "pk_b");
    foreignBot = await bot(other.tenantId, "pk_other");
    const day = (chatbotId: string, tenantId: string, dayKey: string, over: Record<string, unknown>) => ({
      tenant_id: tenantId,
      chatbot_id: chatbotId,
      day: dayKey,
      unanswered_questions: JSON.stringify(over.questions ?? []),
      conversations: 0,
      user_messages: 0,
      assistant_messages: 0,
      ...Object.fromEntries(Object.entries(over).filter(([k]) => k !== "questions")),
    });
    await db
      .insertInto("usage_daily")
      .values([
        day(botA, user.tenantId, "2026-03-01", {
          conversations: 2,
          user_messages: 5,
          assistant_messages: 4,
          prompt_tokens: 100,
          completion_tokens: 50,
          latency_p50_ms: 200,
          latency_p95_ms: 800,
          feedback_up: 3,
          feedback_down: 1,
          unanswered: 2,
          questions: ["Do you ship to Mars?", "refund policy?"],
          transcriptions: 2,
        }),
        day(botB, user.tenantId, "2026-03-01", {
          conversations: 1,
          user_messages: 1,
          assistant_messages: 1,
          latency_p50_ms: 400,
          latency_p95_ms: 1000,
          unanswered: 1,
          questions: ["do you  ship to mars?"],
        }),
        day(botA, user.tenantId, "2026-03-03", {
          conversations: 1,
          user_messages: 2,
          assistant_messages: 2,
          transcriptions: 1,
        }),
        day(botA, user.tenantId, "2026-04-01", { conversations: 9 }),
        day(foreignBot, other.tenantId, "2026-03-02", { conversations: 100, feedback_down: 50 }),
      ])
      .execute();
  });
  afterAll(() => platform.close());

  it("builds a daily series with empty days and a summary for the tenant", async () => {
    const result = await user.browser.analytics.overview.query({ from: "2026-03-01", to: "2026-03-03" });
    expect(result.series.map((d) => [d.day, d.conversations, d.messages])).toEqual([
      ["2026-03-01", 3, 11],
      ["2026-03-02", 0, 0],
      ["2026-03-03", 1, 4],
    ]);
    expect(result.series[0]).toMatchObject({
      tokens: 150,
      satisfaction: 0.75,
      unanswered: 3,
      latencyP50Ms: 240,
    });
    expect(result.series[1]).toMatchObject({ satisfaction: null, latencyP50Ms: null });
    // How fresh the rolled-up figures are: the newest roll-up of this tenant's rows.
    expect(result.rolledUpAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const fresh = await signedInUser(platform, "fresh@example.com");
    expect(
      (await fresh.browser.analytics.overview.query({ from: "2026-03-01", to: "2026-03-03" })).rolledUpAt,
    ).toBeNull();
    expect(result.summary).toMatchObject({
      conversations: 4,
      userMessages: 8,
      assistantMessages: 7,
      feedbackUp: 3,
      feedbackDown: 1,
      satisfaction: 0.75,
      unanswered: 3,
      transcriptions: 3,
      topUnanswered: [
        // Either spelling may be shown: rows of one day come in no fixed order.
        { question: expect.stringMatching(/^do you +ship to mars\?$/i), count: 2 },
        { question: "refund policy?", count: 1 },
      ],
    });
  });

  it("filters by chatbot and refuses another tenant's chatbot", async () => {
    const result = await user.browser.analytics.overview.query({
      from: "2026-03-01",
      to: "2026-04-30",
      chatbotId: botB,
    });
    expect(result.summary.conversations).toBe(1);
    expect(result.series).toHaveLength(61);
    await expect(
      user.browser.analytics.overview.query({ from: "2026-03-01", to: "2026-03-03", chatbotId: foreignBot }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("refuses reversed and overlong ranges", async () => {
    await expect(
      user.browser.analytics.overview.query({ from: "2026-03-05", to: "2026-03-01" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      user.browser.analytics.overview.query({ from: "2025-01-01", to: "2026-03-01" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect(daysBetween("2024-01-01", "2024-12-31")).toBe(366);
    expect(
      (await user.browser.analytics.overview.query({ from: "2024-01-01", to: "2024-12-31" })).series,
    ).toHaveLength(366);
  });

  it("ranks unanswered questions by frequency", () => {
    const row = (questions: string[]) => ({
      day: "2026-01-01",
      conversations: 0,
      user_messages: 0,
      assistant_messages: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      latency_p50_ms: null,
      latency_p95_ms: null,
      feedback_up: 0,
      feedback_down: 0,
      unanswered: questions.length,
      unanswered_questions: questions,
      transcriptions: 0,
    });
    expect(topUnanswered([row(["b", "a", " "]), row(["A", "c"])], 2)).toEqual([
      { question: "a", count: 2 },
      { question: "b", count: 1 },
    ]);
  });
});
