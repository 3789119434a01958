// What the main thread and the embedded database's thread (pglite.worker.ts) say to each other.

export type EmbeddedCall =
  | { id: number; type: "query"; sql: string; params: readonly unknown[] }
  | { id: number; type: "close" };

export interface QueryOutcome {
  rows: unknown[];
  affectedRows?: number | undefined;
}

/** An error as plain fields: structured clone keeps only an Error's message, and callers read PostgreSQL's `code`, `constraint`, `detail`. */
export type PlainError = { message: string } & Record<string, string | number>;

export type EmbeddedReply =
  | { ready: true }
  | { failed: PlainError }
  | { id: number; outcome: QueryOutcome }
  | { id: number; error: PlainError };

export function plainError(error: unknown): PlainError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === "string" || typeof value === "number") fields[key] = value;
  }
  return { ...fields, name: error.name, message: error.message };
}

export function restoredError(plain: PlainError): Error {
  const { message, ...fields } = plain;
  return Object.assign(new Error(message), fields);
}
