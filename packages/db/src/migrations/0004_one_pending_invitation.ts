import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// One open invitation per address and workspace: inviting again replaces the earlier link. Older
// duplicates are revoked first so the index can be built on existing data.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
update invitations set revoked_at = now()
where id in (
  select id from (
    select id, row_number() over (partition by tenant_id, email order by created_at desc, id desc) as newest
    from invitations
    where accepted_at is null and revoked_at is null
  ) ranked
  where newest > 1
);
create unique index invitations_open_email_idx on invitations (tenant_id, email)
  where accepted_at is null and revoked_at is null;
`,
  );
}
