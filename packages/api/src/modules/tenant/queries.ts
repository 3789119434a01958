import type { Database, Role } from "@avatar-chat/db";
import type { Kysely } from "kysely";

// Each function takes the tenant id and filters by it, on top of row-level security in `inTenant`.

export function findTenant(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom("tenants")
    .select([
      "id",
      "name",
      "slug",
      "plan",
      "max_chatbots",
      "max_messages_per_month",
      "max_knowledge_bytes",
      "conversation_retention_days",
      "created_at",
    ])
    .where("id", "=", tenantId)
    .executeTakeFirst();
}

export async function tenantUsage(db: Kysely<Database>, tenantId: string, month: string) {
  const [chatbots, messages, knowledge] = await Promise.all([
    db
      .selectFrom("chatbots")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("usage_monthly")
      .select("messages")
      .where("tenant_id", "=", tenantId)
      .where("month", "=", month)
      .executeTakeFirst(),
    db
      .selectFrom("knowledge_sources")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("size_bytes"), eb.lit(0)).as("bytes"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    chatbots: Number(chatbots.n),
    messagesThisMonth: messages?.messages ?? 0,
    knowledgeBytes: Number(knowledge.bytes),
  };
}

export function renameTenant(db: Kysely<Database>, tenantId: string, name: string, now: Date) {
  return db
    .updateTable("tenants")
    .set({ name, updated_at: now })
    .where("id", "=", tenantId)
    .returning(["id", "name"])
    .executeTakeFirstOrThrow();
}

/** Sets the retention and returns the one it replaced: the row is locked, so concurrent changes audit in order. */
export async function setConversationRetention(
  db: Kysely<Database>,
  tenantId: string,
  days: number | null,
  now: Date,
) {
  const before = await db
    .selectFrom("tenants")
    .select("conversation_retention_days")
    .where("id", "=", tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  await db
    .updateTable("tenants")
    .set({ conversation_retention_days: days, updated_at: now })
    .where("id", "=", tenantId)
    .execute();
  return before.conversation_retention_days;
}

export function listMembers(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id as userId", "users.email", "users.name", "memberships.role", "memberships.created_at"])
    .where("memberships.tenant_id", "=", tenantId)
    .orderBy("memberships.created_at")
    .execute();
}

export function findMembership(db: Kysely<Database>, tenantId: string, userId: string) {
  return db
    .selectFrom("memberships")
    .select(["user_id", "role", "notify_human_requests"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** Owners counted under a row lock, so two concurrent demotions cannot both pass the "one owner left" rule. */
export async function lockedOwnerCount(db: Kysely<Database>, tenantId: string): Promise<number> {
  const owners = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("tenant_id", "=", tenantId)
    .where("role", "=", "owner")
    .forUpdate()
    .execute();
  return owners.length;
}

export function setRole(db: Kysely<Database>, tenantId: string, userId: string, role: Role) {
  return db
    .updateTable("memberships")
    .set({ role })
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .execute();
}

export function deleteMembership(db: Kysely<Database>, tenantId: string, userId: string) {
  return db
    .deleteFrom("memberships")
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .execute();
}

/** The tenant's open (not accepted, not revoked) invitations, revoked at `now`: the caller says which. */
function revokeOpen(db: Kysely<Database>, tenantId: string, now: Date) {
  return db
    .updateTable("invitations")
    .set({ revoked_at: now })
    .where("tenant_id", "=", tenantId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .returning("id");
}

/** Revokes the address's open invitations (inviting again replaces the earlier link); how many. */
export async function revokeOpenInvitations(
  db: Kysely<Database>,
  tenantId: string,
  email: string,
  now: Date,
) {
  return (await revokeOpen(db, tenantId, now).where("email", "=", email).execute()).length;
}

export function insertInvitation(
  db: Kysely<Database>,
  values: {
    tenantId: string;
    email: string;
    role: "admin" | "member";
    tokenHash: Uint8Array;
    invitedBy: string | null;
    expiresAt: Date;
  },
) {
  return db
    .insertInto("invitations")
    .values({
      tenant_id: values.tenantId,
      email: values.email,
      role: values.role,
      token_hash: values.tokenHash,
      invited_by: values.invitedBy,
      expires_at: values.expiresAt,
    })
    .returning(["id", "email", "role", "expires_at", "created_at"])
    .executeTakeFirstOrThrow();
}

export function insertEmail(
  db: Kysely<Database>,
  values: { tenantId: string; kind: string; to: string; subject: string; text: string },
) {
  return db
    .insertInto("email_outbox")
    .values({
      tenant_id: values.tenantId,
      kind: values.kind,
      to_address: values.to,
      subject: values.subject,
      text_body: values.text,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
}

export function listInvitations(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom("invitations")
    .select(["id", "email", "role", "invited_by", "expires_at", "accepted_at", "revoked_at", "created_at"])
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
}

export function revokeInvitation(db: Kysely<Database>, tenantId: string, invitationId: string, now: Date) {
  return revokeOpen(db, tenantId, now).where("id", "=", invitationId).executeTakeFirst();
}

/** Marks a usable invitation as used and returns it; null when unknown, used, revoked or expired. */
export function claimInvitation(db: Kysely<Database>, tokenHash: Uint8Array, now: Date) {
  return db
    .updateTable("invitations")
    .set({ accepted_at: now })
    .where("token_hash", "=", tokenHash)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now)
    .returning(["id", "tenant_id", "email", "role"])
    .executeTakeFirst();
}

export function listAudit(
  db: Kysely<Database>,
  tenantId: string,
  page: { cursor?: number | undefined; limit: number },
) {
  let query = db
    .selectFrom("audit_log")
    .leftJoin("users", "users.id", "audit_log.actor_user_id")
    .select([
      "audit_log.id",
      "audit_log.action",
      "audit_log.actor_user_id as actorUserId",
      "users.email as actorEmail",
      "audit_log.actor_api_key_id as actorApiKeyId",
      "audit_log.target_type as targetType",
      "audit_log.target_id as targetId",
      "audit_log.ip",
      "audit_log.detail",
      "audit_log.created_at",
    ])
    .where("audit_log.tenant_id", "=", tenantId);
  if (page.cursor !== undefined) query = query.where("audit_log.id", "<", page.cursor);
  return query.orderBy("audit_log.id", "desc").limit(page.limit).execute();
}

export function setHumanRequestNotifications(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  notify: boolean,
) {
  return db
    .updateTable("memberships")
    .set({ notify_human_requests: notify })
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .returning(["role", "notify_human_requests"])
    .executeTakeFirst();
}

/** An invitation by its token's hash, before its tenant is known (runs as the owner). */
export function findInvitationByToken(db: Kysely<Database>, tokenHash: Uint8Array) {
  return db
    .selectFrom("invitations")
    .select(["tenant_id", "email"])
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/** The user joins the tenant with `role`; already a member: nothing changes. */
export function addMembership(db: Kysely<Database>, tenantId: string, userId: string, role: Role) {
  return db
    .insertInto("memberships")
    .values({ tenant_id: tenantId, user_id: userId, role })
    .onConflict((oc) => oc.columns(["tenant_id", "user_id"]).doNothing())
    .execute();
}
