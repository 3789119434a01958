import type { Kysely } from "kysely";
import { TENANT_ROLE } from "../tenant-role";
import { runStatements } from "./run-statements";

// The inbox at a tenant's scale (200k conversations, 1M messages): its page order is the index's own
// (last_message_at desc, id desc), and its search (a substring, case-insensitive) reads a trigram index
// instead of every message.
//
// Row-level security keeps a tenant's reads from using that index: ILIKE is not leakproof, so PostgreSQL
// may not evaluate it inside an index scan before the policy's check. The two views below hold the rows
// the search reads, already limited to the current tenant by their own `where` (they run with their
// owner's rights, so the policy does not apply inside them and the planner may use the index). The tenant
// role reads them, and nothing else, this way; they are not security barriers, which only matters to
// someone who can write SQL as the tenant role, and no one outside the platform can.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
create extension if not exists pg_trgm;
drop index conversations_inbox_idx;
create index conversations_inbox_idx on conversations (tenant_id, last_message_at desc, id desc);
create index messages_content_trgm_idx on messages using gin (content gin_trgm_ops);
create view inbox_conversations as
  select tenant_id, id, chatbot_id, status, handoff, last_message_at from conversations
  where tenant_id = app_current_tenant();
create view inbox_message_texts as
  select tenant_id, conversation_id, content from messages
  where tenant_id = app_current_tenant();
grant select on inbox_conversations, inbox_message_texts to ${TENANT_ROLE};
`,
  );
}
