import { isUniqueViolation, withTenant } from "@avatar-chat/db";
import { enqueueEmail } from "@avatar-chat/worker/producer";
import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import { userCredentialsChanged } from "../../auth/credential-changes";
import { hashSecret, randomToken } from "../../auth/tokens";
import { type Actor, limitOrThrow, router, tenantProcedure, userProcedure } from "../../trpc";
import { clearActiveTenant, findUser, setActiveTenant } from "../auth";
import {
  addMembership,
  claimInvitation,
  deleteMembership,
  findInvitationByToken,
  findMembership,
  findTenant,
  insertEmail,
  insertInvitation,
  listAudit,
  listInvitations,
  listMembers,
  lockedOwnerCount,
  renameTenant,
  revokeInvitation,
  revokeOpenInvitations,
  setConversationRetention,
  setHumanRequestNotifications,
  setRole,
  tenantUsage,
} from "./queries";
import {
  acceptInvitationInput,
  auditLogInput,
  changeRoleInput,
  conversationRetentionInput,
  INVITATION_TTL_MS,
  invitationEmail,
  invitationIdInput,
  invitationState,
  inviteInput,
  leaveRefusal,
  memberIdInput,
  monthKey,
  notificationsInput,
  notifiedOfHumanRequests,
  removalRefusal,
  renameTenantInput,
  roleChangeRefusal,
} from "./rules";

const noSuchMember = () => new TRPCError({ code: "NOT_FOUND", message: "No such member in this workspace." });

function sessionUser(actor: Actor) {
  if (actor.kind !== "user") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Only a signed-in member can do this, not an API key.",
    });
  }
  return actor;
}

export const tenantRouter = router({
  get: tenantProcedure.meta({ scope: "read" }).query(({ ctx }) =>
    ctx.inTenant(async (tx) => {
      const tenant = await findTenant(tx, ctx.tenantId);
      if (!tenant) throw new TRPCError({ code: "NOT_FOUND", message: "No such workspace." });
      const usage = await tenantUsage(tx, ctx.tenantId, monthKey(ctx.deps.clock()));
      return {
        id: tenant.id,
        name: tenant.name,
        slug: tenant.slug,
        plan: tenant.plan,
        createdAt: tenant.created_at,
        limits: {
          chatbots: tenant.max_chatbots,
          messagesPerMonth: tenant.max_messages_per_month,
          knowledgeBytes: tenant.max_knowledge_bytes,
        },
        conversationRetentionDays: tenant.conversation_retention_days,
        usage,
      };
    }),
  ),

  rename: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(renameTenantInput)
    .mutation(({ ctx, input }) =>
      ctx.inTenant(async (tx) => {
        const tenant = await renameTenant(tx, ctx.tenantId, input.name, ctx.deps.clock());
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "tenant.renamed",
          ip: ctx.request.ip,
          detail: { name: input.name },
        });
        return tenant;
      }),
    ),

  /** Conversations are deleted this many days after their last message (the worker's housekeeping); null: never. */
  setConversationRetention: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(conversationRetentionInput)
    .mutation(({ ctx, input }) =>
      ctx.inTenant(async (tx) => {
        const from = await setConversationRetention(tx, ctx.tenantId, input.days, ctx.deps.clock());
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "tenant.conversation_retention_changed",
          ip: ctx.request.ip,
          detail: { from, to: input.days },
        });
        return { conversationRetentionDays: input.days };
      }),
    ),

  members: tenantProcedure
    .meta({ scope: "read" })
    .query(({ ctx }) => ctx.readTenant((db) => listMembers(db, ctx.tenantId))),

  changeRole: tenantProcedure
    .meta({ scope: "write", minRole: "owner" })
    .input(changeRoleInput)
    .mutation(async ({ ctx, input }) => {
      const changed = await ctx.inTenant(async (tx) => {
        const ownerCount = await lockedOwnerCount(tx, ctx.tenantId);
        const target = await findMembership(tx, ctx.tenantId, input.userId);
        if (!target) throw noSuchMember();
        const refusal = roleChangeRefusal(target, input.role, ownerCount);
        if (refusal) throw new TRPCError({ code: "BAD_REQUEST", message: refusal });
        await setRole(tx, ctx.tenantId, input.userId, input.role);
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "member.role_changed",
          targetType: "user",
          targetId: input.userId,
          ip: ctx.request.ip,
          detail: { from: target.role, to: input.role },
        });
        return { userId: input.userId, role: input.role };
      });
      // After commit: every process's cached session of the member holds the old role.
      await userCredentialsChanged(ctx.deps, input.userId);
      return changed;
    }),

  invite: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(inviteInput)
    .mutation(async ({ ctx, input }) => {
      const actor = sessionUser(ctx.actor);
      await limitOrThrow(ctx, `invite:${ctx.tenantId}`, { limit: 50, windowMs: 3_600_000 });
      const token = randomToken();
      const now = ctx.deps.clock();
      const inviter = await findUser(ctx.deps.db, actor.userId);
      const { invitation, outboxId } = await ctx.inTenant(async (tx) => {
        const members = await listMembers(tx, ctx.tenantId);
        if (members.some((m) => m.email === input.email)) {
          throw new TRPCError({ code: "CONFLICT", message: "This person is already a member." });
        }
        const tenant = await findTenant(tx, ctx.tenantId);
        const replaced = await revokeOpenInvitations(tx, ctx.tenantId, input.email, now);
        const invitation = await insertInvitation(tx, {
          tenantId: ctx.tenantId,
          email: input.email,
          role: input.role,
          tokenHash: hashSecret(token),
          invitedBy: actor.userId,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        }).catch((error: unknown) => {
          // Another invitation to this address committed first (one open invitation per address).
          if (isUniqueViolation(error, "invitations_open_email_idx"))
            throw new TRPCError({ code: "CONFLICT", message: "This address was just invited. Try again." });
          throw error;
        });
        const link = `${ctx.deps.config.publicUrl}/accept-invite?token=${token}`;
        const mail = invitationEmail({
          tenantName: tenant?.name ?? "a workspace",
          inviterName: inviter?.name || inviter?.email || "An administrator",
          link,
        });
        const outbox = await insertEmail(tx, {
          tenantId: ctx.tenantId,
          kind: "invitation",
          to: input.email,
          subject: mail.subject,
          text: mail.text,
        });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "member.invited",
          targetType: "invitation",
          targetId: invitation.id,
          ip: ctx.request.ip,
          detail: { email: input.email, role: input.role, replaced },
        });
        return { invitation, outboxId: outbox.id };
      });
      // After commit: the worker must find the outbox row. A failed enqueue leaves the row pending.
      await enqueueEmail(ctx.deps.queues.email, { outboxId });
      return invitation;
    }),

  invitations: tenantProcedure.meta({ scope: "read", minRole: "admin" }).query(({ ctx }) =>
    ctx.inTenant(async (tx) => {
      const now = ctx.deps.clock();
      const rows = await listInvitations(tx, ctx.tenantId);
      return rows.map((row) => ({ ...row, state: invitationState(row, now) }));
    }),
  ),

  revokeInvitation: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(invitationIdInput)
    .mutation(({ ctx, input }) =>
      ctx.inTenant(async (tx) => {
        const revoked = await revokeInvitation(tx, ctx.tenantId, input.invitationId, ctx.deps.clock());
        if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "No such pending invitation." });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "invitation.revoked",
          targetType: "invitation",
          targetId: input.invitationId,
          ip: ctx.request.ip,
        });
        return { ok: true };
      }),
    ),

  acceptInvitation: userProcedure.input(acceptInvitationInput).mutation(async ({ ctx, input }) => {
    await limitOrThrow(ctx, `accept:${ctx.userId}`, { limit: 20, windowMs: 900_000 });
    const user = await findUser(ctx.deps.db, ctx.userId);
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in." });
    const now = ctx.deps.clock();
    // Found by its token (the tenant is not known yet), then everything runs fixed to that tenant.
    const invitation = await findInvitationByToken(ctx.deps.db, hashSecret(input.token));
    const invalid = new TRPCError({
      code: "NOT_FOUND",
      message: "This invitation is invalid, expired or was already used.",
    });
    if (!invitation) throw invalid;
    if (invitation.email !== user.email) {
      throw new TRPCError({
        code: "FORBIDDEN",
        // Not naming the address: whoever holds a forwarded link learns nothing about the invitee.
        message: "This invitation was sent to another email address. Sign in with that address to accept it.",
      });
    }
    const accepted = await withTenant(ctx.deps.db, invitation.tenant_id, async (tx) => {
      const claimed = await claimInvitation(tx, hashSecret(input.token), now);
      if (!claimed) throw invalid;
      await addMembership(tx, claimed.tenant_id, ctx.userId, claimed.role);
      await recordAudit(tx, {
        tenantId: claimed.tenant_id,
        actor: { kind: "user", userId: ctx.userId },
        action: "member.joined",
        targetType: "invitation",
        targetId: claimed.id,
        ip: ctx.request.ip,
        detail: { role: claimed.role },
      });
      return claimed;
    });
    await setActiveTenant(ctx.deps.db, ctx.session.id, accepted.tenant_id);
    await userCredentialsChanged(ctx.deps, ctx.userId); // the cached session holds the workspace
    return { tenantId: accepted.tenant_id, role: accepted.role };
  }),

  removeMember: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(memberIdInput)
    .mutation(async ({ ctx, input }) => {
      const actor = sessionUser(ctx.actor);
      if (actor.userId === input.userId) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "To remove yourself, leave the workspace." });
      }
      await ctx.inTenant(async (tx) => {
        const ownerCount = await lockedOwnerCount(tx, ctx.tenantId);
        const target = await findMembership(tx, ctx.tenantId, input.userId);
        if (!target) throw noSuchMember();
        const refusal = removalRefusal(actor.role, target.role, ownerCount);
        if (refusal) throw new TRPCError({ code: "FORBIDDEN", message: refusal });
        await deleteMembership(tx, ctx.tenantId, input.userId);
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "member.removed",
          targetType: "user",
          targetId: input.userId,
          ip: ctx.request.ip,
          detail: { role: target.role },
        });
      });
      await clearActiveTenant(ctx.deps.db, input.userId, ctx.tenantId);
      await userCredentialsChanged(ctx.deps, input.userId);
      return { ok: true };
    }),

  leave: tenantProcedure.meta({ scope: "write" }).mutation(async ({ ctx }) => {
    const actor = sessionUser(ctx.actor);
    await ctx.inTenant(async (tx) => {
      const ownerCount = await lockedOwnerCount(tx, ctx.tenantId);
      const refusal = leaveRefusal(actor.role, ownerCount);
      if (refusal) throw new TRPCError({ code: "BAD_REQUEST", message: refusal });
      await deleteMembership(tx, ctx.tenantId, actor.userId);
      await recordAudit(tx, {
        tenantId: ctx.tenantId,
        actor,
        action: "member.left",
        targetType: "user",
        targetId: actor.userId,
        ip: ctx.request.ip,
      });
    });
    await clearActiveTenant(ctx.deps.db, actor.userId, ctx.tenantId);
    await userCredentialsChanged(ctx.deps, actor.userId);
    return { ok: true };
  }),

  /** The signed-in member's own email choices in the active workspace. */
  notifications: tenantProcedure.meta({ scope: "read" }).query(async ({ ctx }) => {
    const actor = sessionUser(ctx.actor);
    const membership = await ctx.readTenant((db) => findMembership(db, ctx.tenantId, actor.userId));
    if (!membership) throw noSuchMember();
    return { humanRequests: notifiedOfHumanRequests(membership.role, membership.notify_human_requests) };
  }),

  setNotifications: tenantProcedure
    .meta({ scope: "write" })
    .input(notificationsInput)
    .mutation(async ({ ctx, input }) => {
      const actor = sessionUser(ctx.actor);
      const membership = await ctx.inTenant((tx) =>
        setHumanRequestNotifications(tx, ctx.tenantId, actor.userId, input.humanRequests),
      );
      if (!membership) throw noSuchMember();
      return { humanRequests: notifiedOfHumanRequests(membership.role, membership.notify_human_requests) };
    }),

  auditLog: tenantProcedure
    .meta({ scope: "read", minRole: "admin" })
    .input(auditLogInput)
    .query(({ ctx, input }) =>
      ctx.inTenant(async (tx) => {
        const entries = await listAudit(tx, ctx.tenantId, input);
        const last = entries.at(-1);
        return { entries, nextCursor: entries.length === input.limit && last ? last.id : null };
      }),
    ),
});
