import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// The worker's housekeeping prunes old audit entries and finished emails by age across tenants; these
// indexes let it find them without reading the whole table (expired sessions have one already).
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
create index audit_log_created_idx on audit_log (created_at);
create index email_outbox_finished_idx on email_outbox (created_at) where status <> 'pending';
`,
  );
}
