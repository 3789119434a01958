import { type Database, runTransaction } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { recordAudit } from "../../audit";

export function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

export function findUser(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom("users")
    .select(["id", "email", "name", "created_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
}

export function listMemberships(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom("memberships")
    .innerJoin("tenants", "tenants.id", "memberships.tenant_id")
    .select(["tenants.id", "tenants.name", "tenants.slug", "tenants.plan", "memberships.role"])
    .where("memberships.user_id", "=", userId)
    .orderBy("tenants.name")
    .execute();
}

/** A new user with their own workspace, in one transaction so a failure leaves neither behind. */
export function createUserWithTenant(
  db: Kysely<Database>,
  user: { email: string; name: string; passwordHash: string },
  tenant: { name: string; slug: string },
  ip: string | null,
) {
  return runTransaction(db, async (tx) => {
    const created = await tx
      .insertInto("users")
      .values({ email: user.email, name: user.name, password_hash: user.passwordHash })
      .returning(["id", "email", "name"])
      .executeTakeFirstOrThrow();
    const workspace = await tx
      .insertInto("tenants")
      .values({ name: tenant.name, slug: tenant.slug })
      .returning(["id", "name", "slug"])
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("memberships")
      .values({ tenant_id: workspace.id, user_id: created.id, role: "owner" })
      .execute();
    await recordAudit(tx, {
      tenantId: workspace.id,
      actor: { kind: "user", userId: created.id },
      action: "tenant.created",
      ip,
    });
    return { user: created, tenant: workspace };
  });
}

export function listSessions(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom("sessions")
    .select(["id", "user_agent", "ip", "created_at", "last_seen_at", "expires_at"])
    .where("user_id", "=", userId)
    .orderBy("last_seen_at", "desc")
    .execute();
}
