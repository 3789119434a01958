import { type Database, isUniqueViolation, runTransaction } from "@avatar-chat/db";
import { TRPCError } from "@trpc/server";
import type { Kysely } from "kysely";
import { z } from "zod";
import { recordAudit } from "../../audit";
import { userCredentialsChanged } from "../../auth/credential-changes";
import { hashPassword, verifyPassword } from "../../auth/password";
import {
  blankSessionCookie,
  createSession,
  invalidateSession,
  invalidateUserSessions,
  sessionCookie,
} from "../../auth/sessions";
import { randomToken } from "../../auth/tokens";
import { type Context, limitOrThrow, publicProcedure, router, userProcedure } from "../../trpc";
import {
  createUserWithTenant,
  deleteUserSession,
  findPasswordHash,
  findUser,
  findUserByEmail,
  listMemberships,
  listSessions,
  setActiveTenant,
  setPasswordHash,
} from "./queries";
import { changePasswordInput, signInInput, signUpInput, slugFrom } from "./rules";

async function startSession(
  ctx: Context,
  userId: string,
  activeTenantId: string | null,
  db: Kysely<Database> = ctx.deps.db,
) {
  const { deps, request } = ctx;
  const { token, session } = await createSession(db, userId, deps.config.sessionTtlMs, deps.clock(), {
    userAgent: request.userAgent?.slice(0, 300) ?? null,
    ip: request.ip,
    activeTenantId,
  });
  ctx.resHeaders.append(
    "Set-Cookie",
    sessionCookie(token, session.expires_at, { secure: deps.config.cookieSecure }),
  );
  return session;
}

function requireDashboardOrigin(ctx: Context) {
  if (!ctx.request.origin || !ctx.deps.config.dashboardOrigins.includes(ctx.request.origin)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Sign in from the dashboard." });
  }
}

// A fixed hash makes an unknown email cost as much as a wrong password, so timing reveals no accounts.
const dummyHash = hashPassword("not-a-real-password-just-for-timing");

export const authRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    requireDashboardOrigin(ctx);
    await limitOrThrow(ctx, `signup:${ctx.request.ip ?? "unknown"}`, { limit: 10, windowMs: 3_600_000 });
    const taken = () =>
      new TRPCError({
        code: "CONFLICT",
        message: "An account with this email already exists. Sign in instead.",
      });
    if (await findUserByEmail(ctx.deps.db, input.email)) throw taken();
    const passwordHash = await hashPassword(input.password);
    const { user, tenant } = await createUserWithTenant(
      ctx.deps.db,
      { email: input.email, name: input.name, passwordHash },
      { name: input.workspaceName, slug: slugFrom(input.workspaceName, randomToken().slice(0, 6)) },
      ctx.request.ip,
    ).catch((error: unknown) => {
      // A sign-up for the same address committed between the check above and this insert.
      throw isUniqueViolation(error, "users_email_key") ? taken() : error;
    });
    await startSession(ctx, user.id, tenant.id);
    return { user, tenant };
  }),

  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    requireDashboardOrigin(ctx);
    // Per account *and* address: someone guessing from elsewhere cannot lock the owner out of their account.
    const ip = ctx.request.ip ?? "unknown";
    await limitOrThrow(ctx, `signin:${input.email}:${ip}`, { limit: 10, windowMs: 900_000 });
    await limitOrThrow(ctx, `signin-ip:${ip}`, { limit: 50, windowMs: 900_000 });
    const user = await findUserByEmail(ctx.deps.db, input.email);
    const valid = await verifyPassword(user?.password_hash ?? (await dummyHash), input.password);
    if (!user || !valid) throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong email or password." });
    const tenants = await listMemberships(ctx.deps.db, user.id);
    // The session and the sign-in entries in each workspace's audit log: both or neither.
    await runTransaction(ctx.deps.db, async (tx) => {
      await startSession(ctx, user.id, tenants[0]?.id ?? null, tx);
      for (const tenant of tenants) {
        await recordAudit(tx, {
          tenantId: tenant.id,
          actor: { kind: "user", userId: user.id },
          action: "auth.sign_in",
          ip: ctx.request.ip,
        });
      }
    });
    return { user: { id: user.id, email: user.email, name: user.name } };
  }),

  me: userProcedure.query(async ({ ctx }) => {
    const user = await findUser(ctx.deps.db, ctx.userId);
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in." });
    const tenants = await listMemberships(ctx.deps.db, ctx.userId);
    return {
      user,
      tenants,
      activeTenantId: ctx.session.active_tenant_id,
      sessionExpiresAt: ctx.session.expires_at,
    };
  }),

  switchTenant: userProcedure.input(z.object({ tenantId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const tenants = await listMemberships(ctx.deps.db, ctx.userId);
    if (!tenants.some((t) => t.id === input.tenantId)) {
      throw new TRPCError({ code: "NOT_FOUND", message: "No such workspace." });
    }
    await setActiveTenant(ctx.deps.db, ctx.session.id, input.tenantId);
    // Cached sessions hold the workspace: every process must read the row again.
    await userCredentialsChanged(ctx.deps, ctx.userId);
    return { activeTenantId: input.tenantId };
  }),

  signOut: userProcedure.mutation(async ({ ctx }) => {
    await invalidateSession(ctx.deps.db, ctx.session.id);
    await userCredentialsChanged(ctx.deps, ctx.userId);
    ctx.resHeaders.append("Set-Cookie", blankSessionCookie({ secure: ctx.deps.config.cookieSecure }));
    return { ok: true };
  }),

  signOutEverywhere: userProcedure.mutation(async ({ ctx }) => {
    await invalidateUserSessions(ctx.deps.db, ctx.userId);
    await userCredentialsChanged(ctx.deps, ctx.userId);
    ctx.resHeaders.append("Set-Cookie", blankSessionCookie({ secure: ctx.deps.config.cookieSecure }));
    return { ok: true };
  }),

  changePassword: userProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    if (!(await verifyPassword(await findPasswordHash(ctx.deps.db, ctx.userId), input.currentPassword))) {
      throw new TRPCError({ code: "BAD_REQUEST", message: "Your current password is not right." });
    }
    await setPasswordHash(ctx.deps.db, ctx.userId, await hashPassword(input.newPassword), ctx.deps.clock());
    // Other devices may hold a stolen session: a new password ends them all but this one.
    await invalidateUserSessions(ctx.deps.db, ctx.userId, ctx.session.id);
    await userCredentialsChanged(ctx.deps, ctx.userId);
    return { ok: true };
  }),

  sessions: userProcedure.query(async ({ ctx }) => {
    const sessions = await listSessions(ctx.deps.db, ctx.userId);
    return sessions.map((s) => ({ ...s, current: s.id === ctx.session.id }));
  }),

  revokeSession: userProcedure
    .input(z.object({ sessionId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteUserSession(ctx.deps.db, ctx.userId, input.sessionId)))
        throw new TRPCError({ code: "NOT_FOUND", message: "No such session." });
      await userCredentialsChanged(ctx.deps, ctx.userId);
      return { ok: true };
    }),
});
