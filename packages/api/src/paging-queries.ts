import { sql } from "kysely";
import { encodeKeysetCursor } from "./paging";

/** A timestamp column as text at its full (microsecond) precision, for keyset cursors. */
export function timestampMicros(column: string) {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Rows after a keyset cursor in (timestamp desc, id desc) order: one row comparison an index on
 * (…, timestamp desc, id desc) can seek to.
 */
export function beforeCursor(at: string, id: string, cursor: { at: string; id: string }) {
  return sql<boolean>`(${sql.ref(at)}, ${sql.ref(id)}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}

/**
 * A page out of `limit + 1` rows read in keyset order: the first `limit`, and the cursor after the last
 * of them when another row followed (null on the last page).
 */
export function keysetPage<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  atMicrosOf: (row: Row) => string,
): { rows: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor:
      rows.length > limit && last ? encodeKeysetCursor({ atMicros: atMicrosOf(last), id: last.id }) : null,
  };
}
