import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// The worker's redelivery sweep looks for recent visitor messages without a reply across tenants every few
// seconds; this index keeps that to the recent visitor messages instead of the whole table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    "create index messages_user_created_idx on messages (created_at) where role = 'user';",
  );
}
