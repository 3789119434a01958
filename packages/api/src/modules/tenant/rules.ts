import type { Role } from "@avatar-chat/db";
import { z } from "zod";
import { emailSchema } from "../auth/rules";

export const renameTenantInput = z.object({ name: z.string().trim().min(1).max(120) });

export const roleSchema = z.enum(["owner", "admin", "member"]);
export const invitableRoleSchema = z.enum(["admin", "member"]);

export const changeRoleInput = z.object({ userId: z.uuid(), role: roleSchema });
export const inviteInput = z.object({ email: emailSchema, role: invitableRoleSchema.default("member") });
export const invitationIdInput = z.object({ invitationId: z.uuid() });
export const acceptInvitationInput = z.object({ token: z.string().min(1).max(64) });
export const memberIdInput = z.object({ userId: z.uuid() });
export const notificationsInput = z.object({ humanRequests: z.boolean() });

/** Bounds of a tenant's conversation retention, as the column's check (migration 0012): a day to ten years. */
export const CONVERSATION_RETENTION_DAYS = { min: 1, max: 3650 } as const;
/** Days after their last message conversations are deleted; null turns deletion off. */
export const conversationRetentionInput = z.object({
  days: z.number().int().min(CONVERSATION_RETENTION_DAYS.min).max(CONVERSATION_RETENTION_DAYS.max).nullable(),
});
export const auditLogInput = z.object({
  /** Id of the last entry of the previous page. */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

/** Invitations are valid for a week. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

/** Why a change of members is refused, or null when it is allowed. */
export type MemberRefusal = string | null;

/**
 * May the target's role become `next`? Only owners call this (the procedure needs the owner role);
 * the rule that remains is that a workspace always keeps an owner.
 */
export function roleChangeRefusal(target: { role: Role }, next: Role, ownerCount: number): MemberRefusal {
  if (target.role === "owner" && next !== "owner" && ownerCount <= 1) {
    return "A workspace needs an owner. Make someone else owner first.";
  }
  return null;
}

/** May `actorRole` remove a member whose role is `targetRole`? Admins cannot remove owners; the last owner stays. */
export function removalRefusal(actorRole: Role, targetRole: Role, ownerCount: number): MemberRefusal {
  if (targetRole === "owner" && actorRole !== "owner") return "Only an owner can remove an owner.";
  if (targetRole === "owner" && ownerCount <= 1) {
    return "A workspace needs an owner. Make someone else owner first.";
  }
  return null;
}

export function leaveRefusal(role: Role, ownerCount: number): MemberRefusal {
  if (role === "owner" && ownerCount <= 1) {
    return "You are the only owner. Make someone else owner before you leave.";
  }
  return null;
}

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export function invitationState(
  invitation: { accepted_at: Date | null; revoked_at: Date | null; expires_at: Date },
  now: Date,
): InvitationState {
  if (invitation.accepted_at) return "accepted";
  if (invitation.revoked_at) return "revoked";
  if (invitation.expires_at.getTime() <= now.getTime()) return "expired";
  return "pending";
}

/** First day of `now`'s UTC month as YYYY-MM-DD, the key of `usage_monthly`. */
export function monthKey(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

export function invitationEmail(input: { tenantName: string; inviterName: string; link: string }) {
  return {
    subject: `You are invited to ${input.tenantName}`,
    text: [
      `${input.inviterName} invited you to join the workspace "${input.tenantName}".`,
      "",
      `Accept the invitation: ${input.link}`,
      "",
      "The link is valid for 7 days. If you did not expect this email, ignore it.",
    ].join("\n"),
  };
}

/** Whether a member is emailed when a visitor asks for a person: their own choice, else their role's default. */
export function notifiedOfHumanRequests(role: Role, choice: boolean | null): boolean {
  return choice ?? role !== "member";
}
