import type { Database } from "@avatar-chat/db";
import { analyticsRollupJob } from "@avatar-chat/protocol/jobs";
import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import { parsePayload } from "../payload";

/** How many of a day's unanswered questions usage_daily keeps (most recent first). */
export const UNANSWERED_KEPT = 10;

/**
 * The day's most recent unanswered questions of one chatbot, as usage_daily lists them: computed from the
 * events that still carry their text, so a question redacted when its conversation was deleted drops out.
 */
export function unansweredQuestions(
  tenantId: RawBuilder<unknown> | Expression<unknown>,
  chatbotId: RawBuilder<unknown> | Expression<unknown>,
  day: RawBuilder<unknown> | Expression<unknown>,
): RawBuilder<string[]> {
  return sql<string[]>`coalesce((
        select jsonb_agg(q.question)
        from (
          select u.detail ->> 'question' as question
          from usage_events u
          where u.tenant_id = ${tenantId} and u.chatbot_id = ${chatbotId} and u.kind = 'unanswered'
            and u.detail ? 'question'
            and u.occurred_at >= ${day}::timestamp at time zone 'UTC'
            and u.occurred_at < (${day} + 1)::timestamp at time zone 'UTC'
          order by u.occurred_at desc, u.id desc
          limit ${UNANSWERED_KEPT}
        ) q
      ), '[]'::jsonb)`;
}

/** UTC days the job folds when no day is given: today, and yesterday for events that landed after midnight. */
export function rollupDays(day: string | undefined, now: Date): string[] {
  if (day) return [day];
  const today = now.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  return [yesterday, today];
}

/**
 * Folds one UTC day of usage_events into usage_daily per (tenant, chatbot, day). Every figure is computed
 * from the events, never incremented, so running it again (or concurrently) gives the same rows.
 * Runs across tenants, so it uses the owning role, not a tenant transaction.
 */
export async function rollupDay(db: Kysely<Database>, day: string): Promise<number> {
  const result = await sql`
    insert into usage_daily as d (
      tenant_id, chatbot_id, day, conversations, user_messages, assistant_messages, prompt_tokens,
      completion_tokens, latency_p50_ms, latency_p95_ms, feedback_up, feedback_down, unanswered,
      unanswered_questions, transcriptions, updated_at
    )
    select
      e.tenant_id, e.chatbot_id, ${day}::date,
      count(*) filter (where e.kind = 'conversation'),
      count(*) filter (where e.kind = 'user_message'),
      count(*) filter (where e.kind = 'assistant_message'),
      coalesce(sum(e.prompt_tokens), 0),
      coalesce(sum(e.completion_tokens), 0),
      round(percentile_cont(0.5) within group (order by e.latency_ms)
        filter (where e.kind = 'assistant_message' and e.latency_ms is not null)),
      round(percentile_cont(0.95) within group (order by e.latency_ms)
        filter (where e.kind = 'assistant_message' and e.latency_ms is not null)),
      count(*) filter (where e.kind = 'feedback' and e.value > 0),
      count(*) filter (where e.kind = 'feedback' and e.value < 0),
      count(*) filter (where e.kind = 'unanswered'),
      ${unansweredQuestions(sql.ref("e.tenant_id"), sql.ref("e.chatbot_id"), sql`${day}::date`)},
      count(*) filter (where e.kind = 'transcription'),
      now()
    from usage_events e
    where e.chatbot_id is not null
      and e.occurred_at >= ${day}::date::timestamp at time zone 'UTC'
      and e.occurred_at < (${day}::date + 1)::timestamp at time zone 'UTC'
    group by e.tenant_id, e.chatbot_id
    on conflict (tenant_id, chatbot_id, day) do update set
      conversations = excluded.conversations,
      user_messages = excluded.user_messages,
      assistant_messages = excluded.assistant_messages,
      prompt_tokens = excluded.prompt_tokens,
      completion_tokens = excluded.completion_tokens,
      latency_p50_ms = excluded.latency_p50_ms,
      latency_p95_ms = excluded.latency_p95_ms,
      feedback_up = excluded.feedback_up,
      feedback_down = excluded.feedback_down,
      unanswered = excluded.unanswered,
      unanswered_questions = excluded.unanswered_questions,
      transcriptions = excluded.transcriptions,
      updated_at = excluded.updated_at
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** The analytics-rollup job: the given day, or yesterday and today. */
export async function processRollup(
  deps: { db: Kysely<Database>; clock: () => Date },
  data: unknown,
): Promise<number> {
  const { day } = parsePayload(analyticsRollupJob, data ?? {});
  let rows = 0;
  for (const d of rollupDays(day, deps.clock())) rows += await rollupDay(deps.db, d);
  return rows;
}
