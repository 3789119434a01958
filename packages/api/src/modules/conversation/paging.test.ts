import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";

const site = "https://shop.test";
const TOTAL = 230;

describe("transcript paging", () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let publicKey: string;
  let visitorToken: string;
  let conversationId: string;
  /** Every message id in transcript order: (created_at, id) ascending. */
  let expected: string[];

  const visitor = () => platform.browser({ origin: site, bearer: visitorToken });

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@paging.test");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Support", allowedOrigins: [site] });
    await owner.browser.chatbot.publish.mutate({ chatbotId: bot.id });
    publicKey = bot.publicKey;
    const started = await platform.browser({ origin: site }).widget.start.mutate({ publicKey });
    visitorToken = started.visitorToken;
    ({ conversationId } = await visitor().conversation.start.mutate({}));
    // Groups of five messages share one timestamp (down to the microsecond), so page boundaries fall
    // inside groups of equal created_at.
    const rows = Array.from({ length: TOTAL }, (_, i) => ({
      tenant_id: owner.tenantId,
      conversation_id: conversationId,
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: `message ${i}`,
      citations: "[]",
      created_at: sql<Date>`timestamptz '2026-01-01T00:00:00.000001Z' + ${Math.floor(i / 5)} * interval '1 second'`,
    }));
    await platform.deps.db.insertInto("messages").values(rows).execute();
    const ordered = await platform.deps.db
      .selectFrom("messages")
      .select("id")
      .where("conversation_id", "=", conversationId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    expected = ordered.map((m) => m.id);
  });
  afterAll(() => platform.close());

  async function pageAll(
    read: (cursor: string | undefined) => Promise<{ messages: { id: string }[]; nextCursor: string | null }>,
  ) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      pages.push(page.messages.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // Pages go backwards in time, each oldest first: reversed and joined they are the whole transcript.
    return { pages, all: pages.toReversed().flat() };
  }

  it("pages a visitor's history backwards over more than 200 messages, ties included", async () => {
    const first = await visitor().conversation.history.query({ conversationId });
    expect(first.messages).toHaveLength(50);
    expect(first.messages.map((m) => m.id)).toEqual(expected.slice(-50));
    expect(first.handoff).toBe("bot");

    for (const limit of [7, 50, 200]) {
      const { pages, all } = await pageAll((cursor) =>
        visitor().conversation.history.query({ conversationId, limit, ...(cursor ? { cursor } : {}) }),
      );
      expect(all, `limit ${limit}`).toEqual(expected);
      expect(pages).toHaveLength(Math.ceil(TOTAL / limit));
    }
  });

  it("pages the dashboard's transcript the same way and still exports everything", async () => {
    const { all } = await pageAll((cursor) =>
      owner.browser.conversation.get.query({ conversationId, limit: 13, ...(cursor ? { cursor } : {}) }),
    );
    expect(all).toEqual(expected);
    const json = await owner.browser.conversation.export.query({ conversationId, format: "json" });
    expect(JSON.parse(json.body).messages.map((m: { id: string }) => m.id)).toEqual(expected);
    const markdown = await owner.browser.conversation.export.query({ conversationId, format: "markdown" });
    expect(markdown.body).toContain("message 0\n");
    expect(markdown.body).toContain(`message ${TOTAL - 1}\n`);
  });

  it("resumes the widget with the newest page, its cursor and the handoff", async () => {
    const resumed = await platform.browser({ origin: site }).widget.start.mutate({ publicKey, visitorToken });
    expect(resumed.conversation).toMatchObject({ id: conversationId, handoff: "bot" });
    expect(resumed.conversation?.messages.map((m) => m.id)).toEqual(expected.slice(-50));
    const older = await visitor().conversation.history.query({
      conversationId,
      cursor: resumed.conversation!.nextCursor!,
    });
    expect(older.messages.map((m) => m.id)).toEqual(expected.slice(-100, -50));
  });

  it("refuses malformed cursors and oversized pages", async () => {
    for (const input of [
      { conversationId, cursor: "2026-01-01_not-a-cursor" },
      { conversationId, cursor: `2026-01-01T00:00:00.000Z_${conversationId}` },
      { conversationId, limit: 201 },
    ]) {
      await expect(visitor().conversation.history.query(input)).rejects.toMatchObject({
        data: { code: "BAD_REQUEST" },
      });
    }
  });
});
