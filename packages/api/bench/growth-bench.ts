import { sql } from "kysely";
import { encodeKeysetCursor } from "../src/paging";
import { timestampMicros } from "../src/paging-queries";
import { createTestPlatform, type TestPlatform } from "../src/testing";
import { signedInUser, type TestUser } from "../src/testing-users";

// Driver of the data-growth benchmark (bench/suites/growth.ts): one tenant grows to 10k, 100k and 1M
// messages (a fifth as many conversations, a hundredth as many knowledge sources, a year of daily
// roll-ups), loaded with generate_series, not through the api. At each size the dashboard's reads run
// through the api over HTTP with a session cookie, one at a time, on PostgreSQL.

export const SIZES = (process.env.GROWTH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const MESSAGES_PER_CONVERSATION = 5;
const WARMUP = 20;
const SAMPLES = Number(process.env.GROWTH_SAMPLES ?? 300);
const SESSIONS = 40;
/** A word in one conversation only (the tenant's first), as an order number is. */
export const RARE = "parcel-7f3k9q";

// Support-chat words: every message is 8 to 20 of them, chosen by a hash of its number, so a common
// word ("refund") is in about one message in ten and a two-word phrase is rarer.
const WORDS = `hello order refund shipping delivery package tracking invoice payment card account password
login email address change cancel return exchange size color price discount coupon code help please thanks
when where why how can could would my the a is was not arrived late damaged missing wrong item product store
online website app error problem issue question support agent person talk call phone number week day today
yesterday tomorrow morning evening status update confirm confirmation receipt bill charge charged twice money
back credit bank transfer subscription plan upgrade downgrade renew expire warranty repair broken battery
screen charger cable manual install setup reset restart download upload file photo picture message reply
answer wait waiting long quick fast slow free cost fee tax country city street zip postal label courier
carrier pickup dropoff locker gift wrap note birthday holiday sale stock available soon restock notify
alert newsletter unsubscribe privacy data delete profile name settings language english german french`
  .split(/\s+/)
  .filter(Boolean);

/** SQL for the text of message number `seed` (an integer expression). */
function textOf(seed: string) {
  const words = `array[${WORDS.map((w) => `'${w}'`).join(",")}]`;
  return `(select string_agg((${words})[1 + ((hashint8((${seed}) * 1000 + j) & 2147483647) % ${WORDS.length})::int], ' ')
    from generate_series(1, 8 + ((${seed}) % 13)::int) j)`;
}

export interface GrowthRead {
  name: string;
  /** p99 and p50 in ms at each size, in SIZES order. */
  p99: number[];
  p50: number[];
}

export interface GrowthResult {
  sizes: number[];
  reads: GrowthRead[];
  /** Seconds to load each step (insert and index upkeep, then vacuum analyze). */
  loadSeconds: number[];
  serverVersion: string;
}

interface Tenant {
  platform: TestPlatform;
  owner: TestUser;
  chatbotId: string;
}

/** Grows the tenant from `from` to `to` messages. */
async function grow({ platform, owner, chatbotId }: Tenant, from: number, to: number) {
  const db = platform.deps.db;
  const first = from / MESSAGES_PER_CONVERSATION + 1;
  const last = to / MESSAGES_PER_CONVERSATION;
  // Conversation g's last message is at 2025-01-01 + g/3 s (three at each instant, ties included).
  await sql`
    insert into conversations (tenant_id, chatbot_id, title, message_count, status, handoff, last_message_at, created_at)
    select ${owner.tenantId}::uuid, ${chatbotId}::uuid, left(${sql.raw(textOf("g * 5"))}, 80), ${MESSAGES_PER_CONVERSATION},
      case when g % 4 = 0 then 'closed' else 'open' end, case when g % 50 = 0 then 'requested' else 'bot' end,
      timestamptz '2025-01-01' + (g / 3) * interval '1 second', timestamptz '2025-01-01' + (g / 3) * interval '1 second' - interval '1 minute'
    from generate_series(${first}::int, ${last}::int) g`.execute(db);
  await sql`
    insert into messages (tenant_id, conversation_id, role, content, created_at)
    select c.tenant_id, c.id, case when k % 2 = 0 then 'user' else 'assistant' end,
      ${sql.raw(textOf("(c.seq * 5 + k)"))} || case when c.seq = 1 and k = 0 then ${` ${RARE}`} else '' end,
      c.created_at + k * interval '10 seconds'
    from (select id, tenant_id, created_at, row_number() over (order by created_at, id) as seq
          from conversations where tenant_id = ${owner.tenantId}::uuid) c, generate_series(0, 4) k
    where c.seq between ${first}::int and ${last}::int`.execute(db);
  await sql`
    insert into knowledge_sources (tenant_id, chatbot_id, kind, title, status, created_at)
    select ${owner.tenantId}::uuid, ${chatbotId}::uuid, 'text', 'Article ' || g, 'ready',
      timestamptz '2025-01-01' + g * interval '1 minute'
    from generate_series(${from / 100 + 1}::int, ${to / 100}::int) g`.execute(db);
  await sql`vacuum analyze conversations`.execute(db);
  await sql`vacuum analyze messages`.execute(db);
  await sql`vacuum analyze knowledge_sources`.execute(db);
}

/** The cursor of the row halfway down a keyset list (newest first): a page as deep as the tenant is large. */
async function middleCursor({ platform, owner }: Tenant, table: "conversations" | "knowledge_sources") {
  const at = table === "conversations" ? "last_message_at" : "created_at";
  const db = platform.deps.db;
  const { count } = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("tenant_id", "=", owner.tenantId)
    .executeTakeFirstOrThrow();
  const row = await db
    .selectFrom(table)
    .select(["id", timestampMicros(at).as("atMicros")])
    .where("tenant_id", "=", owner.tenantId)
    .orderBy(at, "desc")
    .orderBy("id", "desc")
    .offset(Math.floor(Number(count) / 2))
    .limit(1)
    .executeTakeFirstOrThrow();
  return encodeKeysetCursor(row);
}

async function timed(read: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await read();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await read();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!;
  return { p99: Math.round(at(99) * 100) / 100, p50: Math.round(at(50) * 100) / 100 };
}

export async function measureGrowth(): Promise<GrowthResult> {
  const platform = await createTestPlatform();
  try {
    const owner = await signedInUser(platform, "owner@growth.bench");
    const bot = await owner.browser.chatbot.create.mutate({ name: "Support" });
    const tenant = { platform, owner, chatbotId: bot.id };
    await sql`
      insert into usage_daily (tenant_id, chatbot_id, day, conversations, user_messages, assistant_messages)
      select ${owner.tenantId}::uuid, ${bot.id}::uuid, d::date, 300, 800, 800
      from generate_series(date '2025-01-01', date '2025-12-31', interval '1 day') d`.execute(
      platform.deps.db,
    );
    const { rows } = await sql<{ server_version: string }>`show server_version`.execute(platform.deps.db);
    // One dashboard session may make 600 calls a minute; the reads rotate over members' sessions.
    const members = [owner];
    for (let i = 1; i < SESSIONS; i++) {
      members.push(
        await signedInUser(platform, `member${i}@growth.bench`, { tenantId: owner.tenantId, role: "admin" }),
      );
    }
    let turn = 0;
    const api = new Proxy(owner.browser, {
      get: (_, key) => members[turn++ % SESSIONS]!.browser[key as never],
    });
    let newest = "";
    let inboxMiddle = "";
    let sourcesMiddle = "";
    const reads: Record<string, () => Promise<unknown>> = {
      inbox_first_page: () => api.conversation.inbox.query({ limit: 25 }),
      inbox_open_first_page: () => api.conversation.inbox.query({ limit: 25, status: "open" }),
      inbox_middle_page: () => api.conversation.inbox.query({ limit: 25, cursor: inboxMiddle }),
      inbox_search_rare: () => api.conversation.inbox.query({ limit: 25, search: RARE }),
      inbox_search_common: () => api.conversation.inbox.query({ limit: 25, search: "refund" }),
      inbox_search_absent: () => api.conversation.inbox.query({ limit: 25, search: "zebra" }),
      history_page: () => api.conversation.get.query({ conversationId: newest }),
      knowledge_list: () => api.knowledge.list.query({ chatbotId: bot.id }),
      knowledge_list_middle: () => api.knowledge.list.query({ chatbotId: bot.id, cursor: sourcesMiddle }),
      analytics_overview: () => api.analytics.overview.query({ from: "2025-01-01", to: "2025-03-31" }),
    };
    const results = new Map<string, GrowthRead>(
      Object.keys(reads).map((name) => [name, { name, p99: [], p50: [] }]),
    );
    const loadSeconds: number[] = [];
    let size = 0;
    for (const next of SIZES) {
      const started = performance.now();
      await grow(tenant, size, next);
      loadSeconds.push(Math.round((performance.now() - started) / 100) / 10);
      size = next;
      console.log(`  growth: ${next} messages loaded in ${loadSeconds.at(-1)} s`);
      newest = (await api.conversation.inbox.query({ limit: 1 })).items[0]!.id;
      inboxMiddle = await middleCursor(tenant, "conversations");
      sourcesMiddle = await middleCursor(tenant, "knowledge_sources");
      for (const [name, read] of Object.entries(reads)) {
        const { p99, p50 } = await timed(read);
        results.get(name)!.p99.push(p99);
        results.get(name)!.p50.push(p50);
      }
    }
    return {
      sizes: SIZES,
      reads: [...results.values()],
      loadSeconds,
      serverVersion: rows[0]!.server_version,
    };
  } finally {
    await platform.close();
  }
}
