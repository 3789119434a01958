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

/** The workspace a session works in (null: the user chooses one). */
export function setActiveTenant(db: Kysely<Database>, sessionId: string, tenantId: string | null) {
  return db.updateTable("sessions").set({ active_tenant_id: tenantId }).where("id", "=", sessionId).execute();
}

export async function findPasswordHash(db: Kysely<Database>, userId: string): Promise<string> {
  const user = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return user.password_hash;
}

export function setPasswordHash(db: Kysely<Database>, userId: string, passwordHash: string, now: Date) {
  return db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: now })
    .where("id", "=", userId)
    .execute();
}

/** Deletes one of the user's sessions; false when the user has no such session. */
export async function deleteUserSession(db: Kysely<Database>, userId: string, sessionId: string) {
  const result = await db
    .deleteFrom("sessions")
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Sessions that had this workspace active lose it, so they stop at "choose a workspace". */
export function clearActiveTenant(db: Kysely<Database>, userId: string, tenantId: string) {
  return db
    .updateTable("sessions")
    .set({ active_tenant_id: null })
    .where("user_id", "=", userId)
    .where("active_tenant_id", "=", tenantId)
    .execute();
}
