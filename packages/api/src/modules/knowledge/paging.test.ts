import { withTenant } from "@avatar-chat/db";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { sourcesPageQuery } from "./queries";
import { listSourcesInput } from "./rules";

const SOURCES = 230;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.each(
  (process.env.KNOWLEDGE_BACKENDS?.split(",") ?? ["postgres", "pglite"]) as ("postgres" | "pglite")[],
)("knowledge source paging (%s)", (backend) => {
  let platform: TestPlatform;
  let owner: TestUser;
  let other: TestUser;
  let chatbotId: string;
  let otherChatbotId: string;
  /** The chatbot's source ids newest first: (created_at, id) descending. */
  let expected: string[];

  /** Inserts `count` sources of a chatbot; groups of five share created_at to the microsecond. */
  async function insertSources(tenantId: string, chatbot: string, count: number, title: string) {
    await sql`
      insert into knowledge_sources (tenant_id, chatbot_id, kind, title, status, created_at)
      select ${tenantId}::uuid, ${chatbot}::uuid, 'text', ${title} || ' ' || g, 'ready',
        timestamptz '2026-01-01T00:00:00.000001Z' + (g / 5) * interval '1 second'
      from generate_series(1, ${count}::int) g`.execute(platform.deps.db);
  }

  beforeAll(async () => {
    platform = await createTestPlatform({}, { backend });
    owner = await signedInUser(platform, `owner@kb-paging-${backend}.test`);
    other = await signedInUser(platform, `other@kb-paging-${backend}.test`);
    chatbotId = (await owner.browser.chatbot.create.mutate({ name: "Docs" })).id;
    const sibling = (await owner.browser.chatbot.create.mutate({ name: "Sales" })).id;
    otherChatbotId = (await other.browser.chatbot.create.mutate({ name: "Docs" })).id;
    await insertSources(owner.tenantId, chatbotId, SOURCES, "Article");
    await insertSources(owner.tenantId, sibling, 40, "Sales note");
    await insertSources(other.tenantId, otherChatbotId, 40, "Other tenant's");
    await sql`analyze knowledge_sources`.execute(platform.deps.db);
    const ordered = await platform.deps.db
      .selectFrom("knowledge_sources")
      .select("id")
      .where("chatbot_id", "=", chatbotId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    expected = ordered.map((s) => s.id);
  }, 120_000);
  afterAll(() => platform.close());

  async function pageAll(user: TestUser, chatbot: string, limit: number) {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await user.browser.knowledge.list.query({
        chatbotId: chatbot,
        limit,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }

  it("pages every source of the chatbot once, newest first, across equal timestamps", async () => {
    const first = await owner.browser.knowledge.list.query({ chatbotId });
    expect(first.items.map((s) => s.id)).toEqual(expected.slice(0, 50));
    for (const limit of [7, 50, 100])
      expect(await pageAll(owner, chatbotId, limit), `limit ${limit}`).toEqual(expected);
  });

  it("continues after its cursor when sources are added meanwhile", async () => {
    const first = await owner.browser.knowledge.list.query({ chatbotId, limit: 10 });
    const added = await owner.browser.knowledge.addUrl.mutate({ chatbotId, url: "https://shop.test/new" });
    const second = await owner.browser.knowledge.list.query({
      chatbotId,
      limit: 10,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((s) => s.id)).toEqual(expected.slice(10, 20));
    const fresh = await owner.browser.knowledge.list.query({ chatbotId, limit: 1 });
    expect(fresh.items.map((s) => s.id)).toEqual([added.id]);
    await owner.browser.knowledge.delete.mutate({ sourceId: added.id });
  });

  it("lists a tenant's own sources only, whatever the cursor says", async () => {
    expect(await pageAll(other, otherChatbotId, 15)).toHaveLength(40);
    await expect(other.browser.knowledge.list.query({ chatbotId })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    // A cursor taken from another tenant's list pages one's own chatbot, never theirs.
    const theirs = await owner.browser.knowledge.list.query({ chatbotId, limit: 3 });
    const mine = await other.browser.knowledge.list.query({
      chatbotId: otherChatbotId,
      cursor: theirs.nextCursor!,
    });
    expect(mine.items.every((s) => s.chatbotId === otherChatbotId)).toBe(true);
  });

  it("refuses malformed cursors and oversized pages with a 400 that says why", async () => {
    for (const input of [
      { chatbotId, cursor: "2026-01-01_not-a-cursor" },
      { chatbotId, cursor: `2026-01-01T00:00:00.000Z_${chatbotId}` },
      { chatbotId, cursor: `2026-13-45T00:00:00.000000Z_${chatbotId}` },
      { chatbotId, cursor: "x".repeat(500) },
      { chatbotId, limit: 101 },
      { chatbotId, limit: 0 },
    ]) {
      await expect(owner.browser.knowledge.list.query(input), JSON.stringify(input)).rejects.toMatchObject({
        data: { code: "BAD_REQUEST", httpStatus: 400 },
      });
    }
    await expect(
      owner.browser.knowledge.list.query({ chatbotId, cursor: "2026-01-01_not-a-cursor" }),
    ).rejects.toThrow("This page cursor is invalid. Start again without one.");
  });

  it("reads a page from the chatbot's index without sorting its sources", async () => {
    const first = await owner.browser.knowledge.list.query({ chatbotId, limit: 25 });
    for (const cursor of [undefined, first.nextCursor!]) {
      const plan = await withTenant(platform.deps.db, owner.tenantId, async (tx) => {
        await sql`select set_config('enable_seqscan', 'off', true)`.execute(tx);
        const page = listSourcesInput.parse({ chatbotId, limit: 25, ...(cursor ? { cursor } : {}) });
        const [row] = await sourcesPageQuery(tx, owner.tenantId, page).explain("json");
        return (row as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan;
      });
      const nodes = nodesOf(plan);
      expect(nodes.map((n) => n["Index Name"])).toContain("knowledge_sources_chatbot_idx");
      expect(nodes.map((n) => n["Node Type"]).filter((t) => t.endsWith("Sort"))).toEqual([]);
    }
  });
});
