import { z } from "zod";
import { isoDay } from "../../accepted-input";

export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export const analyticsInput = z
  .object({
    /** First and last UTC day, inclusive, YYYY-MM-DD. */
    from: isoDay,
    to: isoDay,
    chatbotId: z.uuid().optional(),
  })
  .refine((r) => r.from <= r.to, {
    message: "The start date must not be after the end date.",
    path: ["from"],
  })
  .refine((r) => daysBetween(r.from, r.to) <= MAX_RANGE_DAYS, {
    message: `Choose a range of at most ${MAX_RANGE_DAYS} days.`,
    path: ["to"],
  });

/** Number of days in the inclusive range. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function eachDay(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: daysBetween(from, to) }, (_, i) =>
    new Date(start + i * DAY_MS).toISOString().slice(0, 10),
  );
}

/** One chatbot's day as stored in `usage_daily`. */
export interface DailyRow {
  day: string;
  conversations: number;
  user_messages: number;
  assistant_messages: number;
  prompt_tokens: number;
  completion_tokens: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  feedback_up: number;
  feedback_down: number;
  unanswered: number;
  unanswered_questions: string[];
  transcriptions: number;
}

export interface Totals {
  conversations: number;
  userMessages: number;
  assistantMessages: number;
  messages: number;
  tokens: number;
  /** Per-chatbot daily percentiles averaged, weighted by replies: an approximation, exact per chatbot and day. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  feedbackUp: number;
  feedbackDown: number;
  /** up / (up + down); null without feedback. */
  satisfaction: number | null;
  unanswered: number;
  /** Visitors' recordings the AI provider transcribed (it bills each by its minutes of audio). */
  transcriptions: number;
}

export function totalsOf(rows: readonly DailyRow[]): Totals {
  let weight = 0;
  let p50 = 0;
  let p95 = 0;
  const sum = (pick: (r: DailyRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  for (const r of rows) {
    if (r.latency_p50_ms === null || r.latency_p95_ms === null) continue;
    const w = Math.max(r.assistant_messages, 1);
    weight += w;
    p50 += r.latency_p50_ms * w;
    p95 += r.latency_p95_ms * w;
  }
  const up = sum((r) => r.feedback_up);
  const down = sum((r) => r.feedback_down);
  const userMessages = sum((r) => r.user_messages);
  const assistantMessages = sum((r) => r.assistant_messages);
  return {
    conversations: sum((r) => r.conversations),
    userMessages,
    assistantMessages,
    messages: userMessages + assistantMessages,
    tokens: sum((r) => r.prompt_tokens + r.completion_tokens),
    latencyP50Ms: weight ? Math.round(p50 / weight) : null,
    latencyP95Ms: weight ? Math.round(p95 / weight) : null,
    feedbackUp: up,
    feedbackDown: down,
    satisfaction: up + down ? up / (up + down) : null,
    unanswered: sum((r) => r.unanswered),
    transcriptions: sum((r) => r.transcriptions),
  };
}

/** Every day of the range, days without rows as zeros. */
export function dailySeries(rows: readonly DailyRow[], from: string, to: string) {
  const byDay = new Map<string, DailyRow[]>();
  for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
  return eachDay(from, to).map((day) => ({ day, ...totalsOf(byDay.get(day) ?? []) }));
}

/** The most frequent unanswered questions, compared case- and space-insensitively. */
export function topUnanswered(rows: readonly DailyRow[], limit = 10) {
  const counts = new Map<string, { question: string; count: number }>();
  for (const row of rows) {
    for (const question of row.unanswered_questions) {
      const key = question.trim().toLowerCase().replace(/\s+/g, " ");
      if (!key) continue;
      const entry = counts.get(key) ?? { question: question.trim(), count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question))
    .slice(0, limit);
}
