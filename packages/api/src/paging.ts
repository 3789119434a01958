import { z } from "zod";
import { parseInstant } from "./accepted-input";

// Keyset paging (the inbox by last_message_at, a transcript by created_at, knowledge sources by
// created_at): the cursor is the last shown row's (timestamp at full microsecond precision, id), so rows
// with equal timestamps are neither skipped nor repeated; a JavaScript date (ms) would make ties unsafe and
// keep the index from serving the order. The SQL side is paging-queries.ts.
const KEYSET_CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)_([0-9a-f-]{36})$/;

export function encodeKeysetCursor(row: { atMicros: string; id: string }): string {
  return `${row.atMicros}_${row.id}`;
}

export function decodeKeysetCursor(cursor: string): { at: string; id: string } | null {
  const match = KEYSET_CURSOR.exec(cursor);
  if (!match || !parseInstant(match[1]!) || !z.uuid().safeParse(match[2]).success) return null;
  return { at: match[1]!, id: match[2]! };
}

/** A page cursor as input: the previous page's `nextCursor`; anything else is a 400 that says so. */
export const keysetCursor = z
  .string()
  .max(200)
  .refine((c) => decodeKeysetCursor(c) !== null, "This page cursor is invalid. Start again without one.");
