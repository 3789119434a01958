import type { Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import type { DailyRow } from "./rules";

export function usageRows(
  db: Kysely<Database>,
  tenantId: string,
  range: { from: string; to: string; chatbotId?: string | undefined },
): Promise<DailyRow[]> {
  let query = db
    .selectFrom("usage_daily")
    .select([
      "day",
      "conversations",
      "user_messages",
      "assistant_messages",
      "prompt_tokens",
      "completion_tokens",
      "latency_p50_ms",
      "latency_p95_ms",
      "feedback_up",
      "feedback_down",
      "unanswered",
      "unanswered_questions",
      "transcriptions",
    ])
    .where("tenant_id", "=", tenantId)
    .where("day", ">=", range.from)
    .where("day", "<=", range.to);
  if (range.chatbotId) query = query.where("chatbot_id", "=", range.chatbotId);
  return query.orderBy("day").execute();
}

export function chatbotExists(db: Kysely<Database>, tenantId: string, chatbotId: string) {
  return db
    .selectFrom("chatbots")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .executeTakeFirst();
}

/** When the roll-up last folded new activity into this tenant's (or chatbot's) figures; null before it ever did. */
export async function lastRolledUp(
  db: Kysely<Database>,
  tenantId: string,
  chatbotId: string | undefined,
): Promise<string | null> {
  let query = db
    .selectFrom("usage_daily")
    .select((eb) => eb.fn.max("updated_at").as("at"))
    .where("tenant_id", "=", tenantId);
  if (chatbotId) query = query.where("chatbot_id", "=", chatbotId);
  const row = await query.executeTakeFirst();
  return row?.at ? new Date(row.at).toISOString() : null;
}
