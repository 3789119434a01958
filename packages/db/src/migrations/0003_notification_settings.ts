import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// A member's choice of emails per workspace. Null: the role's default (owners and admins are emailed
// when a visitor asks for a person, members are not).
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, "alter table memberships add column notify_human_requests boolean;");
}
