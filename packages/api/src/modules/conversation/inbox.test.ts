import { withTenant } from "@avatar-chat/db";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../../testing";
import { signedInUser, type TestUser } from "../../testing-users";
import { inboxPageQuery } from "./queries";
import { inboxInput } from "./rules";

// Enough rows that a sort of the tenant's conversations would show in the plan; fewer on PGlite, which
// runs in the test's process and holds its event loop while it inserts.
const CONVERSATIONS = { postgres: 2_000, pglite: 400 };
const NEEDLE = "parcel-7f3k9q";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.each(
  (process.env.INBOX_BACKENDS?.split(",") ?? ["postgres", "pglite"]) as ("postgres" | "pglite")[],
)("the inbox at a tenant's scale (%s)", (backend) => {
  let platform: TestPlatform;
  let owner: TestUser;
  /** Every conversation id of the owner's tenant in inbox order: (last_message_at, id) descending. */
  let expected: string[];
  /** The conversations whose messages say "refund", in inbox order. */
  let refunds: string[];
  let needleConversation: string;

  beforeAll(async () => {
    platform = await createTestPlatform({}, { backend });
    owner = await signedInUser(platform, `owner@inbox-${backend}.test`);
    const other = await signedInUser(platform, `other@inbox-${backend}.test`);
    const db = platform.deps.db;
    for (const user of [owner, other]) {
      const bot = await user.browser.chatbot.create.mutate({ name: "Support" });
      // Groups of four conversations share last_message_at to the microsecond, so page boundaries fall
      // inside ties; five messages each, every seventh conversation about a refund.
      const count = user === owner ? CONVERSATIONS[backend] : 20;
      await sql`
        insert into conversations (tenant_id, chatbot_id, title, message_count, last_message_at)
        select ${user.tenantId}::uuid, ${bot.id}::uuid, 'question ' || g, 5,
          timestamptz '2026-01-01T00:00:00.000001Z' + (g / 4) * interval '1 second'
        from generate_series(1, ${count}::int) g`.execute(db);
      await sql`
        insert into messages (tenant_id, conversation_id, role, content, created_at)
        select c.tenant_id, c.id, case when k % 2 = 0 then 'user' else 'assistant' end,
          'message ' || k || ' of ' || c.title || case when c.title like '%7' then ' asks for a refund' else '' end,
          c.last_message_at - (4 - k) * interval '1 second'
        from conversations c, generate_series(0, 4) k where c.tenant_id = ${user.tenantId}::uuid`.execute(db);
    }
    // The same rare word in one conversation of each tenant: a search must find only its own.
    for (const user of [owner, other]) {
      await sql`
        update messages set content = content || ' my ${sql.raw(NEEDLE)} never came'
        where id = (select id from messages where tenant_id = ${user.tenantId}::uuid order by content limit 1)`.execute(
        db,
      );
    }
    await sql`analyze`.execute(db);
    const ordered = await db
      .selectFrom("conversations")
      .select(["id", "title"])
      .where("tenant_id", "=", owner.tenantId)
      .orderBy("last_message_at", "desc")
      .orderBy("id", "desc")
      .execute();
    expected = ordered.map((c) => c.id);
    refunds = ordered.filter((c) => c.title.endsWith("7")).map((c) => c.id);
    const needle = await db
      .selectFrom("messages")
      .select("conversation_id")
      .where("tenant_id", "=", owner.tenantId)
      .where("content", "like", `%${NEEDLE}%`)
      .executeTakeFirstOrThrow();
    needleConversation = needle.conversation_id;
  }, 120_000);
  afterAll(() => platform.close());

  async function pageAll(filters: { limit: number; search?: string }) {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await owner.browser.conversation.inbox.query({
        ...filters,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(filters.limit);
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }

  it("pages every conversation once, in order, across equal timestamps", async () => {
    expect(await pageAll({ limit: 100 })).toEqual(expected);
    expect(await pageAll({ limit: 7 })).toEqual(expected);
  });

  it("searches the messages of its own tenant only, and pages the matches", async () => {
    const found = await owner.browser.conversation.inbox.query({ search: NEEDLE.toUpperCase() });
    expect(found.items.map((item) => item.id)).toEqual([needleConversation]);
    expect(await pageAll({ limit: 9, search: "Refund" })).toEqual(refunds);
    const none = await owner.browser.conversation.inbox.query({ search: "100%_" });
    expect(none.items).toEqual([]);
    // Two characters hold no trigram, so the index could not serve them: refused, with the reason.
    await expect(owner.browser.conversation.inbox.query({ search: "re" })).rejects.toThrow(
      "Search for at least 3 characters.",
    );
  });

  // Plan shape, not time. The test tenant is small, so the planner is told which paths are too dear at a
  // real tenant's size (bench/suites/growth.ts measures that size); what remains must come from the index.
  async function planOf(filters: { search?: string; cursor?: string }, ruledOut: string[]) {
    return withTenant(platform.deps.db, owner.tenantId, async (tx) => {
      for (const path of ruledOut) await sql`select set_config(${path}, 'off', true)`.execute(tx);
      const [row] = await inboxPageQuery(tx, owner.tenantId, inboxInput.parse(filters)).explain("json");
      return (row as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan;
    });
  }

  /** What a sort reads: everything below it down to a limit (a limited subquery's rows are few). */
  const sortInput = (node: PlanNode): PlanNode[] =>
    node["Node Type"] === "Limit" ? [] : [node, ...(node.Plans ?? []).flatMap(sortInput)];

  it("reads a page from the inbox index without sorting the tenant's conversations", async () => {
    const first = await owner.browser.conversation.inbox.query({ limit: 25 });
    for (const filters of [{}, { cursor: first.nextCursor! }]) {
      const nodes = nodesOf(await planOf(filters, ["enable_seqscan"]));
      expect(nodes.map((n) => n["Index Name"])).toContain("conversations_inbox_idx");
      // A sort may order the page's own rows (read by primary key), never the tenant's conversations.
      const sorted = nodes
        .filter((n) => n["Node Type"].endsWith("Sort"))
        .flatMap((n) => (n.Plans ?? []).flatMap(sortInput))
        .filter((n) => n["Relation Name"] === "conversations");
      expect(sorted.map((n) => n["Index Name"] ?? n["Node Type"])).toEqual(
        sorted.map(() => "conversations_pkey"),
      );
    }
  });

  it("can search through the trigram index instead of reading every message", async () => {
    const nodes = nodesOf(await planOf({ search: NEEDLE }, ["enable_seqscan", "enable_indexscan"]));
    const messageReads = nodes.filter(
      (n) => n["Relation Name"] === "messages" || n["Index Name"]?.startsWith("messages_"),
    );
    expect(messageReads.map((n) => n["Index Name"]).filter(Boolean)).toEqual(["messages_content_trgm_idx"]);
  });
});
