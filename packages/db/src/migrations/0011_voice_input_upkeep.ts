import type { Kysely } from "kysely";
import { TENANT_ROLE } from "../tenant-role";
import { runStatements } from "./run-statements";

// Kept recordings (0009) get a row each, so the platform can find and delete them: with the conversation
// (a deleted chatbot takes its conversations), or an hour after upload when no message ever linked them.
// A transcription becomes a usage event, so the tenant's analytics count what the provider bills.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
create table voice_inputs (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  storage_key text not null,
  message_id uuid references messages (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index voice_inputs_conversation_idx on voice_inputs (conversation_id);
create index voice_inputs_unlinked_idx on voice_inputs (created_at) where message_id is null;
alter table voice_inputs enable row level security;
create policy tenant_isolation on voice_inputs to ${TENANT_ROLE}
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
grant select, insert, update, delete on voice_inputs to ${TENANT_ROLE};

alter table usage_events drop constraint usage_events_kind_check;
alter table usage_events add constraint usage_events_kind_check
  check (kind in ('conversation', 'user_message', 'assistant_message', 'feedback', 'unanswered', 'transcription'));
alter table usage_daily add column transcriptions integer not null default 0;
`,
  );
}
