import type { Tx } from "@avatar-chat/db";
import { sql } from "kysely";
import { unansweredQuestions } from "./rollup";

/**
 * Removes a visitor's words from the usage rows of messages about to be deleted: an unanswered event's
 * `question` and a feedback event's `comment` go, the events (their counts, ratings, tokens) stay, and the
 * days' `usage_daily.unanswered_questions` are listed again from the events that still carry text. Must run
 * before the messages go: their deletion sets the events' `message_id` to null.
 */
export async function forgetUsageText(tx: Tx, tenantId: string, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  const redacted = await tx
    .updateTable("usage_events")
    .set({ detail: sql<string>`detail - 'question' - 'comment'` })
    .where("tenant_id", "=", tenantId)
    .where("message_id", "in", messageIds)
    .where(sql<boolean>`detail ?| array['question', 'comment']`)
    .returning(["kind", "chatbot_id", sql<string>`(occurred_at at time zone 'UTC')::date::text`.as("day")])
    .execute();
  const days = new Map<string, { chatbotId: string; day: string }>();
  for (const { kind, chatbot_id, day } of redacted) {
    if (kind === "unanswered" && chatbot_id !== null)
      days.set(`${chatbot_id} ${day}`, { chatbotId: chatbot_id, day });
  }
  if (days.size === 0) return;
  await sql`
    update usage_daily d
    set unanswered_questions = ${unansweredQuestions(sql.ref("d.tenant_id"), sql.ref("d.chatbot_id"), sql.ref("d.day"))}
    where d.tenant_id = ${tenantId}
      and (d.chatbot_id, d.day) in (${sql.join([...days.values()].map((d) => sql`(${d.chatbotId}::uuid, ${d.day}::date)`))})
  `.execute(tx);
}
