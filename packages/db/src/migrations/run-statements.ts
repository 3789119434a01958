import { type Kysely, sql } from "kysely";

/** Splits a SQL script at top-level semicolons (outside quotes, comments and $$ bodies); drops comments. */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let inSingleQuote = false;
  let inDollarQuote = false;
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (!inSingleQuote && !inDollarQuote && script.startsWith("--", i)) {
      const end = script.indexOf("\n", i);
      i = end === -1 ? script.length : end;
      current += "\n";
      continue;
    }
    if (!inSingleQuote && script.startsWith("$$", i)) {
      inDollarQuote = !inDollarQuote;
      current += "$$";
      i++;
      continue;
    }
    if (!inDollarQuote && char === "'") inSingleQuote = !inSingleQuote;
    if (!inSingleQuote && !inDollarQuote && char === ";") {
      if (current.trim()) statements.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

// PGlite's extended protocol takes one statement per query, so scripts run statement by statement.
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) {
    await sql.raw(statement).execute(db);
  }
}
