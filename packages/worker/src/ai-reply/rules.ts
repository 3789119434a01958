import { isProviderError } from "@avatar-chat/ai";

const MAX_BACKOFF_MS = 60_000;

/**
 * Delay before the next attempt of a reply: exponential from `baseDelayMs`, but never sooner than the
 * provider's Retry-After. Used as BullMQ's custom backoff strategy ("provider").
 */
export function providerBackoffMs(attemptsMade: number, baseDelayMs: number, error: unknown): number {
  const exponential = baseDelayMs * 2 ** Math.max(0, attemptsMade - 1);
  const retryAfter = isProviderError(error) ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(MAX_BACKOFF_MS, Math.max(exponential, retryAfter));
}

/**
 * The stop key holds the time (ms) the visitor pressed stop; it applies to replies whose job was enqueued
 * before that, so a stale press never stops the next question. Any other value means "stop now".
 */
export function isStopRequest(value: string | null, jobEnqueuedAt: number): boolean {
  if (value === null) return false;
  const pressedAt = Number(value);
  return !Number.isFinite(pressedAt) || pressedAt >= jobEnqueuedAt;
}

/** What a visitor sees when no reply can be generated (the reason goes to the logs and the dead-letter set). */
export const UNAVAILABLE_REPLY = "Sorry, the assistant is unavailable right now. Please try again later.";

export const PREVIEW_CHARS = 140;

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}

// The prompt tells a model to say plainly that it does not know, and the offline provider does the same.
const notKnowing = [
  /\bI (?:do not|don['’]?t) know\b/i,
  /\bI(?: am|['’]m) not sure\b/i,
  /\bI (?:could not|couldn['’]t|cannot|can['’]t) find\b/i,
  /\bI have no information\b/i,
  /\bIch weiß (?:es |das )?nicht\b/i,
  /\bNão sei\b/i,
];

/** The reply says the bot does not know (in English, German or Portuguese). */
export function admitsNotKnowing(reply: string): boolean {
  return notKnowing.some((pattern) => pattern.test(reply));
}

/**
 * A question counts as unanswered when the reply cites nothing and either nothing retrieved shares a word
 * with it or the reply itself says it does not know (a shared word is not an answer).
 */
export function isUnanswered(reply: { text: string; citations: number; retrievedMatch: boolean }): boolean {
  return reply.citations === 0 && (!reply.retrievedMatch || admitsNotKnowing(reply.text));
}
