import type { ChatMessage } from "@avatar-chat/ai";
import type { Citation, Handoff, TenantReader, Tx } from "@avatar-chat/db";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";

/** Messages of history handed to the prompt (buildPrompt keeps the last turns of these). */
export const HISTORY_MESSAGES = 12;

export interface ReplyContext {
  chatbotId: string;
  handoff: Handoff;
  conversationStatus: string;
  persona: string;
  greeting: string;
  temperature: number;
  maxTokens: number;
  question: string;
  questionAt: Date;
  history: ChatMessage[];
  existingReply: StoredReply | null;
}

export interface StoredReply {
  id: string;
  content: string;
  citations: Citation[];
  createdAt: Date;
}

/** Everything one reply needs, read in the job's tenant transaction; null when the message is gone. */
export async function loadReplyContext(
  tx: TenantReader,
  args: { conversationId: string; messageId: string },
): Promise<ReplyContext | null> {
  // One statement (history and an earlier reply as JSON): fewer round trips before the first token.
  const row = await tx
    .selectFrom("messages as m")
    .innerJoin("conversations as c", "c.id", "m.conversation_id")
    .innerJoin("chatbots as b", "b.id", "c.chatbot_id")
    .select((eb) => [
      "m.content",
      "m.created_at",
      "c.chatbot_id",
      "c.handoff",
      "c.status",
      "b.persona",
      "b.greeting",
      "b.temperature",
      "b.max_tokens",
      jsonArrayFrom(
        eb
          .selectFrom("messages as h")
          .select(["h.role", "h.content"])
          .whereRef("h.conversation_id", "=", "m.conversation_id")
          .whereRef("h.id", "!=", "m.id")
          .whereRef("h.created_at", "<=", "m.created_at")
          .where("h.role", "in", ["user", "assistant", "agent"])
          .where("h.status", "!=", "failed")
          .orderBy("h.created_at", "desc")
          .orderBy("h.id", "desc")
          .limit(HISTORY_MESSAGES),
      ).as("history"),
      jsonObjectFrom(
        eb
          .selectFrom("messages as r")
          .select(["r.id", "r.content", "r.citations", "r.created_at"])
          .whereRef("r.reply_to", "=", "m.id"),
      ).as("existing"),
    ])
    .where("m.id", "=", args.messageId)
    .where("m.conversation_id", "=", args.conversationId)
    .executeTakeFirst();
  if (!row) return null;

  return {
    chatbotId: row.chatbot_id,
    handoff: row.handoff,
    conversationStatus: row.status,
    persona: row.persona,
    greeting: row.greeting,
    temperature: row.temperature,
    maxTokens: row.max_tokens,
    question: row.content,
    questionAt: row.created_at,
    history: row.history
      .reverse()
      .map((m) => ({ role: m.role === "user" ? "user" : "assistant", content: m.content })),
    existingReply: row.existing
      ? {
          id: row.existing.id,
          content: row.existing.content,
          citations: row.existing.citations,
          // JSON carries the timestamp as text.
          createdAt: new Date(row.existing.created_at),
        }
      : null,
  };
}

export interface NewReply {
  id: string;
  tenantId: string;
  chatbotId: string;
  conversationId: string;
  replyTo: string;
  content: string;
  status: "complete" | "stopped" | "failed";
  citations: Citation[];
  promptTokens: number;
  completionTokens: number;
  firstTokenMs: number | null;
  totalMs: number | null;
  /** The question, recorded as unanswered when retrieval found nothing. */
  unansweredQuestion: string | null;
  at: Date;
}

/**
 * Stores the reply once: `messages.reply_to` is unique, so a second attempt inserts nothing and the
 * counters and usage are only touched by the attempt that did insert. Returns the stored row either way.
 */
export async function saveReply(
  tx: Tx,
  reply: NewReply,
): Promise<{ stored: StoredReply; inserted: boolean }> {
  const inserted = await tx
    .insertInto("messages")
    .values({
      id: reply.id,
      tenant_id: reply.tenantId,
      conversation_id: reply.conversationId,
      role: "assistant",
      content: reply.content,
      reply_to: reply.replyTo,
      status: reply.status,
      citations: JSON.stringify(reply.citations),
      prompt_tokens: reply.promptTokens,
      completion_tokens: reply.completionTokens,
      first_token_ms: reply.firstTokenMs,
      total_ms: reply.totalMs,
      created_at: reply.at,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(["id", "content", "citations", "created_at"])
    .executeTakeFirst();

  if (!inserted) {
    const existing = await tx
      .selectFrom("messages")
      .select(["id", "content", "citations", "created_at"])
      .where("reply_to", "=", reply.replyTo)
      .executeTakeFirstOrThrow();
    return { stored: toStored(existing), inserted: false };
  }

  await tx
    .updateTable("conversations")
    .set((eb) => ({ message_count: eb("message_count", "+", 1), last_message_at: reply.at }))
    .where("id", "=", reply.conversationId)
    .execute();

  // A failed reply is a notice, not an answer: it counts in the conversation, not in usage.
  if (reply.status === "failed") return { stored: toStored(inserted), inserted: true };
  const base = {
    tenant_id: reply.tenantId,
    chatbot_id: reply.chatbotId,
    conversation_id: reply.conversationId,
    message_id: reply.id,
    occurred_at: reply.at,
  };
  await tx
    .insertInto("usage_events")
    .values([
      {
        ...base,
        kind: "assistant_message",
        prompt_tokens: reply.promptTokens,
        completion_tokens: reply.completionTokens,
        latency_ms: reply.firstTokenMs,
        detail: JSON.stringify({ status: reply.status, totalMs: reply.totalMs }),
      },
      ...(reply.unansweredQuestion === null
        ? []
        : [
            {
              ...base,
              kind: "unanswered" as const,
              detail: JSON.stringify({ question: reply.unansweredQuestion }),
            },
          ]),
    ])
    .execute();
  return { stored: toStored(inserted), inserted: true };
}

function toStored(row: {
  id: string;
  content: string;
  citations: Citation[];
  created_at: Date;
}): StoredReply {
  return { id: row.id, content: row.content, citations: row.citations, createdAt: row.created_at };
}
