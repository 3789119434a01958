import type { Kysely } from "kysely";
import { TENANT_ROLE } from "../tenant-role";
import { runStatements } from "./run-statements";

/** Tables whose rows belong to one tenant: row-level security hides the rest from the tenant role. */
export const TENANT_TABLES = [
  "memberships",
  "invitations",
  "api_keys",
  "ai_settings",
  "avatar_assets",
  "chatbots",
  "knowledge_sources",
  "knowledge_chunks",
  "visitors",
  "conversations",
  "messages",
  "usage_events",
  "usage_daily",
  "usage_monthly",
  "audit_log",
  "email_outbox",
] as const;

// Tenant-scoped transactions switch to TENANT_ROLE, which cannot bypass RLS (the owning role or a
// superuser would). The role is cluster-wide, so creating it tolerates a concurrent creator.
export async function up(db: Kysely<unknown>): Promise<void> {
  const policies = TENANT_TABLES.map(
    (table) => `
alter table ${table} enable row level security;
create policy tenant_isolation on ${table} to ${TENANT_ROLE}
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
grant select, insert, update, delete on ${table} to ${TENANT_ROLE};`,
  ).join("\n");

  await runStatements(
    db,
    `
do $$
begin
  if not exists (select 1 from pg_roles where rolname = '${TENANT_ROLE}') then
    create role ${TENANT_ROLE} nologin;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$
begin
  execute format('grant ${TENANT_ROLE} to %I', current_user);
exception when others then null;
end $$;

create function app_current_tenant() returns uuid
  language sql stable
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

grant usage on schema public to ${TENANT_ROLE};
grant execute on function app_current_tenant() to ${TENANT_ROLE};

alter table tenants enable row level security;
create policy tenant_isolation on tenants to ${TENANT_ROLE}
  using (id = app_current_tenant()) with check (id = app_current_tenant());
grant select, update on tenants to ${TENANT_ROLE};

grant select (id, email, name, created_at) on users to ${TENANT_ROLE};
${policies}
`,
  );
}
