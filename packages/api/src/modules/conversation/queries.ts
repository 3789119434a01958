import type { Conversation, Database, InboxViews, Message, TenantReader, Tx } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { decodeKeysetCursor } from "../../paging";
import { beforeCursor, keysetPage, timestampMicros } from "../../paging-queries";
import { notifiedOfHumanRequests } from "../tenant";
import { type InboxFilters, ratingOf, type TranscriptPage } from "./rules";

/** A message as the widget and the dashboard read it (dates as ISO strings: the API has no transformer). */
export function messageView(row: Message) {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    citations: row.citations.map((c) => ({
      sourceId: c.sourceId,
      title: c.title,
      snippet: c.snippet,
      ...(c.url ? { url: c.url } : {}),
    })),
    createdAt: row.created_at.toISOString(),
    feedback: ratingOf(row.feedback),
  };
}
export type MessageView = ReturnType<typeof messageView>;

export function conversationView(row: Conversation) {
  return {
    id: row.id,
    chatbotId: row.chatbot_id,
    visitorId: row.visitor_id,
    channel: row.channel,
    status: row.status,
    handoff: row.handoff,
    assignedUserId: row.assigned_user_id,
    title: row.title,
    messageCount: row.message_count,
    lastMessageAt: row.last_message_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

export function insertConversation(
  tx: Tx,
  values: {
    tenantId: string;
    chatbotId: string;
    visitorId: string | null;
    channel: "widget" | "api" | "dashboard";
  },
) {
  return tx
    .insertInto("conversations")
    .values({
      tenant_id: values.tenantId,
      chatbot_id: values.chatbotId,
      visitor_id: values.visitorId,
      channel: values.channel,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findConversation(tx: Tx, tenantId: string, conversationId: string) {
  return tx
    .selectFrom("conversations")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", conversationId)
    .executeTakeFirst();
}

/** A conversation with what a recording for it needs of its chatbot: whether to keep it, and its language. */
export function findVoiceInputTarget(tx: Tx, tenantId: string, conversationId: string) {
  return tx
    .selectFrom("conversations as v")
    .innerJoin("chatbots as c", (join) =>
      join.onRef("c.id", "=", "v.chatbot_id").onRef("c.tenant_id", "=", "v.tenant_id"),
    )
    .select([
      "v.id",
      "v.tenant_id",
      "v.chatbot_id",
      "v.visitor_id",
      "v.channel",
      "v.status",
      "c.locale",
      "c.store_voice_input",
    ])
    .where("v.tenant_id", "=", tenantId)
    .where("v.id", "=", conversationId)
    .executeTakeFirst();
}

export function latestOpenConversation(tx: Tx, tenantId: string, chatbotId: string, visitorId: string) {
  return tx
    .selectFrom("conversations")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("chatbot_id", "=", chatbotId)
    .where("visitor_id", "=", visitorId)
    .where("status", "=", "open")
    .orderBy("last_message_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * One page of a transcript going backwards: the newest `limit` messages before the cursor, returned oldest
 * first, and the cursor of the next (older) page or null when none is left.
 */
export async function listMessagePage(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  page: Pick<TranscriptPage, "cursor" | "limit">,
) {
  const cursor = page.cursor ? decodeKeysetCursor(page.cursor) : null;
  let query = tx
    .selectFrom("messages")
    .selectAll()
    .select(timestampMicros("created_at").as("created_at_micros"))
    .where("tenant_id", "=", tenantId)
    .where("conversation_id", "=", conversationId);
  if (cursor) query = query.where(beforeCursor("created_at", "id", cursor));
  const rows = await query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit + 1)
    .execute();
  const newestFirst = keysetPage(rows, page.limit, (row) => row.created_at_micros);
  return { messages: newestFirst.rows.reverse(), nextCursor: newestFirst.nextCursor };
}

/** Every message of a conversation, oldest first (exports). */
export function listAllMessages(tx: Tx, tenantId: string, conversationId: string) {
  return tx
    .selectFrom("messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("conversation_id", "=", conversationId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export function findMessage(tx: Tx, tenantId: string, messageId: string) {
  return tx
    .selectFrom("messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", messageId)
    .executeTakeFirst();
}

export function findMessageByClientId(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  clientMessageId: string,
) {
  return tx
    .selectFrom("messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("conversation_id", "=", conversationId)
    .where("client_message_id", "=", clientMessageId)
    .executeTakeFirst();
}

/** Inserts a visitor's message unless one with this client id exists (then undefined). */
export function insertUserMessage(
  tx: Tx,
  values: {
    tenantId: string;
    conversationId: string;
    content: string;
    clientMessageId: string;
    voiceInputKey?: string | null;
  },
) {
  return tx
    .insertInto("messages")
    .values({
      tenant_id: values.tenantId,
      conversation_id: values.conversationId,
      role: "user",
      content: values.content,
      client_message_id: values.clientMessageId,
      citations: "[]",
      voice_input_key: values.voiceInputKey ?? null,
    })
    .onConflict((oc) =>
      oc
        .columns(["conversation_id", "client_message_id"])
        .where("client_message_id", "is not", null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Inserts an agent's reply unless one with this client id exists (then undefined). */
export function insertAgentMessage(
  tx: Tx,
  values: {
    tenantId: string;
    conversationId: string;
    content: string;
    authorUserId: string | null;
    clientMessageId: string | null;
  },
) {
  return tx
    .insertInto("messages")
    .values({
      tenant_id: values.tenantId,
      conversation_id: values.conversationId,
      role: "agent",
      content: values.content,
      author_user_id: values.authorUserId,
      client_message_id: values.clientMessageId,
      citations: "[]",
      // The statement's time, not the transaction's: a join notice written just before sorts first.
      created_at: sql<Date>`clock_timestamp()`,
    })
    .onConflict((oc) =>
      oc
        .columns(["conversation_id", "client_message_id"])
        .where("client_message_id", "is not", null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** A notice from the platform in the transcript (not the model's words, so never rated or sent to the model). */
export function insertSystemMessage(
  tx: Tx,
  values: { tenantId: string; conversationId: string; content: string },
) {
  return tx
    .insertInto("messages")
    .values({
      tenant_id: values.tenantId,
      conversation_id: values.conversationId,
      role: "system",
      content: values.content,
      citations: "[]",
      created_at: sql<Date>`clock_timestamp()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Counts a new message on the conversation; the first one names it. */
export function noteMessage(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  at: Date,
  title: string | null,
) {
  return tx
    .updateTable("conversations")
    .set((eb) => ({
      message_count: eb("message_count", "+", 1),
      last_message_at: at,
      ...(title ? { title: sql<string>`case when title = '' then ${title} else title end` } : {}),
    }))
    .where("tenant_id", "=", tenantId)
    .where("id", "=", conversationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds one message to the tenant's month and returns the new total (the row is created on first use). */
export async function countMonthlyMessage(tx: Tx, tenantId: string, month: string): Promise<number> {
  const row = await tx
    .insertInto("usage_monthly")
    .values({ tenant_id: tenantId, month, messages: 1 })
    .onConflict((oc) =>
      oc
        .columns(["tenant_id", "month"])
        .doUpdateSet((eb) => ({ messages: eb("usage_monthly.messages", "+", 1) })),
    )
    .returning("messages")
    .executeTakeFirstOrThrow();
  return row.messages;
}

export async function monthlyMessageLimit(tx: Tx, tenantId: string): Promise<number> {
  const row = await tx
    .selectFrom("tenants")
    .select("max_messages_per_month")
    .where("id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return row.max_messages_per_month;
}

export function recordUsage(
  tx: Tx,
  event: {
    tenantId: string;
    chatbotId: string;
    conversationId: string;
    messageId?: string;
    kind: "conversation" | "user_message" | "feedback" | "transcription";
    value?: number;
    detail?: Record<string, unknown>;
    at: Date;
  },
) {
  return tx
    .insertInto("usage_events")
    .values({
      tenant_id: event.tenantId,
      chatbot_id: event.chatbotId,
      conversation_id: event.conversationId,
      message_id: event.messageId ?? null,
      kind: event.kind,
      value: event.value ?? 1,
      detail: JSON.stringify(event.detail ?? {}),
      latency_ms: null,
      occurred_at: event.at,
    })
    .execute();
}

export function setFeedback(
  tx: Tx,
  tenantId: string,
  messageId: string,
  value: 1 | -1,
  comment: string | null,
) {
  return tx
    .updateTable("messages")
    .set({ feedback: value, feedback_comment: comment })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", messageId)
    .execute();
}

export function setConversationState(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  state: Partial<{
    status: "open" | "closed";
    handoff: "bot" | "requested" | "agent";
    assigned_user_id: string | null;
  }>,
) {
  return tx
    .updateTable("conversations")
    .set(state)
    .where("tenant_id", "=", tenantId)
    .where("id", "=", conversationId)
    .returningAll()
    .executeTakeFirst();
}

/** bot → requested, only from an open conversation the bot handles: a concurrent take-over wins. */
export function markHumanRequested(tx: Tx, tenantId: string, conversationId: string) {
  return tx
    .updateTable("conversations")
    .set({ handoff: "requested" })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", conversationId)
    .where("handoff", "=", "bot")
    .where("status", "=", "open")
    .returningAll()
    .executeTakeFirst();
}

/**
 * The ids of one inbox page (one more than the page, to tell whether another follows), newest activity
 * first. Read through the inbox views (migration 0008), so the (tenant, last_message_at desc, id desc)
 * index serves the order and the trigram index the search; the planner chooses between walking the
 * conversations newest first (a common word) and starting from the matching messages (a rare one).
 */
function inboxPageIds(tx: TenantReader, tenantId: string, filters: InboxFilters) {
  const views = (tx as Kysely<Database>).withTables<InboxViews>();
  let query = views.selectFrom("inbox_conversations as i").select("i.id").where("i.tenant_id", "=", tenantId);
  if (filters.chatbotId) query = query.where("i.chatbot_id", "=", filters.chatbotId);
  if (filters.status) query = query.where("i.status", "=", filters.status);
  if (filters.handoff) query = query.where("i.handoff", "=", filters.handoff);
  if (filters.from) query = query.where("i.last_message_at", ">=", filters.from);
  if (filters.to) query = query.where("i.last_message_at", "<", filters.to);
  if (filters.search) {
    // The title is the first question's opening line, so searching the messages covers it.
    const pattern = `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(({ exists, selectFrom, lit }) =>
      exists(
        selectFrom("inbox_message_texts as m")
          .select(lit(1).as("one"))
          .where("m.tenant_id", "=", tenantId)
          .whereRef("m.conversation_id", "=", "i.id")
          .where("m.content", "ilike", pattern),
      ),
    );
  }
  const cursor = filters.cursor ? decodeKeysetCursor(filters.cursor) : null;
  if (cursor) query = query.where(beforeCursor("i.last_message_at", "i.id", cursor));
  return query
    .orderBy("i.last_message_at", "desc")
    .orderBy("i.id", "desc")
    .limit(filters.limit + 1);
}

/** One inbox page as a query (the plan tests read its EXPLAIN). */
export function inboxPageQuery(tx: TenantReader, tenantId: string, filters: InboxFilters) {
  return tx
    .selectFrom("conversations as c")
    .innerJoin("chatbots as b", (join) =>
      join.onRef("b.id", "=", "c.chatbot_id").onRef("b.tenant_id", "=", "c.tenant_id"),
    )
    .selectAll("c")
    .select("b.name as chatbot_name")
    .select(timestampMicros("c.last_message_at").as("last_message_at_micros"))
    .where("c.tenant_id", "=", tenantId)
    .where("c.id", "in", inboxPageIds(tx, tenantId, filters))
    .orderBy("c.last_message_at", "desc")
    .orderBy("c.id", "desc");
}

/** The inbox: newest activity first, filtered, one page after the cursor. */
export async function listInbox(tx: TenantReader, tenantId: string, filters: InboxFilters) {
  const rows = await inboxPageQuery(tx, tenantId, filters).execute();
  const page = keysetPage(rows, filters.limit, (row) => row.last_message_at_micros);
  return {
    items: page.rows.map((row) => ({ ...conversationView(row), chatbotName: row.chatbot_name })),
    nextCursor: page.nextCursor,
  };
}

/** The name and language of a conversation's chatbot (transcripts, notices). */
export function conversationChatbot(tx: Tx, tenantId: string, chatbotId: string) {
  return tx
    .selectFrom("chatbots")
    .select(["name", "locale"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .executeTakeFirstOrThrow();
}

/**
 * Addresses of the members to email when a visitor asks for a person: owners and admins unless they
 * opted out, members who opted in (users sit above tenants: read with the owning role).
 */
export async function humanRequestAddresses(db: Kysely<Database>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.email", "memberships.role", "memberships.notify_human_requests"])
    .where("memberships.tenant_id", "=", tenantId)
    .orderBy("users.email")
    .execute();
  return rows
    .filter((row) => notifiedOfHumanRequests(row.role, row.notify_human_requests))
    .map((row) => row.email);
}

/** A kept recording's row: how the platform finds it again to delete it (worker housekeeping, chatbot.delete). */
export function insertVoiceInput(
  tx: Tx,
  values: { id: string; tenantId: string; conversationId: string; storageKey: string },
) {
  return tx
    .insertInto("voice_inputs")
    .values({
      id: values.id,
      tenant_id: values.tenantId,
      conversation_id: values.conversationId,
      storage_key: values.storageKey,
    })
    .execute();
}

/** The message a kept recording was sent as; from then on it lives as long as its conversation. */
export function linkVoiceInput(tx: Tx, tenantId: string, voiceInputId: string, messageId: string) {
  return tx
    .updateTable("voice_inputs")
    .set({ message_id: messageId })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", voiceInputId)
    .where("message_id", "is", null)
    .execute();
}
