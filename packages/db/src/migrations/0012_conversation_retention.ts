import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// A tenant's retention of conversations (docs/ai.md, "Privacy"): null keeps them until deleted by hand;
// N deletes a conversation N days after its last message (the worker's housekeeping). The column sits
// on `tenants`, whose row-level security already limits each tenant to its own row.
// Deleting messages sets their usage events' references to null and deletes their recordings' rows:
// without these indexes each deleted message would read the whole of `usage_events` and `voice_inputs`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
alter table tenants add column conversation_retention_days integer
  check (conversation_retention_days between 1 and 3650);
create index usage_events_conversation_idx on usage_events (conversation_id) where conversation_id is not null;
create index usage_events_message_idx on usage_events (message_id) where message_id is not null;
create index voice_inputs_message_idx on voice_inputs (message_id) where message_id is not null;
`,
  );
}
