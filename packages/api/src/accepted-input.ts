// What text and dates the product accepts, decided once. The text rule runs on every procedure's raw input
// (trpc.ts), so no schema can forget it; the date parts are what every date or cursor in a schema is built from.
import { z } from "zod";

/** Deeper than any procedure's input (a chatbot's theme is three levels); deeper input is refused unread. */
export const MAX_INPUT_DEPTH = 16;

/** Dates the product stores and compares: PostgreSQL and JavaScript both represent these exactly. */
export const EARLIEST = new Date("1970-01-01T00:00:00.000Z");
export const LATEST = new Date("9999-12-31T23:59:59.999Z");

export const TEXT_REFUSAL =
  "contains a character that cannot be stored (a NUL character or a broken Unicode character). Remove it and try again.";

// In a `u` regex a surrogate pair is one code point, so \p{Cs} matches only a lone (unpaired) surrogate.
const LONE_SURROGATE = /\p{Cs}/u;

/** NUL cannot be stored in PostgreSQL text; a lone UTF-16 surrogate is not Unicode (nor valid in JSON columns). */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/**
 * Why an input is refused before any schema sees it, or null: a string (value or key) that is not storable
 * text, or nesting deeper than `MAX_INPUT_DEPTH`. Walked without recursion, so no input can exhaust the stack.
 */
export function inputProblem(input: unknown): string | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: input, path: "", depth: 0 },
  ];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value === "string") {
      if (!isStorableText(value)) return `The field "${path || "input"}" ${TEXT_REFUSAL}`;
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return "This request's input is nested too deeply.";
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!isStorableText(key)) return `A field name ${TEXT_REFUSAL}`;
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

export function isWithinDateRange(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST.getTime() && time <= LATEST.getTime();
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

/**
 * A UTC timestamp as the api writes it into cursors (`2026-03-01T12:00:00.123Z`, up to microseconds), or null
 * when it is not a real moment between 1970 and 9999 (`2026-02-30`, hour 99 and year 0 are refused, not rolled over).
 */
export function parseInstant(text: string): Date | null {
  if (!INSTANT.test(text)) return null;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || !isWithinDateRange(date)) return null;
  // A date that does not print back as it was written was rolled over by the parser: not a real moment.
  return date.toISOString().slice(0, 19) === text.slice(0, 19) ? date : null;
}

const rangeMessage = "Choose a date between 1970 and 9999.";

/** A calendar day `YYYY-MM-DD` (a real one: zod checks months and leap years) between 1970 and 9999. */
export const isoDay = z.iso
  .date("Use a date like 2026-01-31.")
  .refine((day) => day >= "1970-01-01" && day <= "9999-12-31", rangeMessage);

/** A moment given as a date or date-time (string, Date or epoch milliseconds), between 1970 and 9999. */
export const instant = z.coerce
  .date("Use a date like 2026-01-31 or 2026-01-31T12:00:00Z.")
  .min(EARLIEST, rangeMessage)
  .max(LATEST, rangeMessage);
