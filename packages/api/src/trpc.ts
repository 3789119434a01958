import type { ApiKeyScope, Role } from "@avatar-chat/db";
import { readInTenant, type TenantReader, type Tx, withTenant } from "@avatar-chat/db";
import { type VerifiedVisitor, verifyVisitorToken } from "@avatar-chat/protocol";
import { currentScope } from "@avatar-chat/telemetry";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { inputProblem } from "./accepted-input";
import { API_KEY_PREFIX, validateApiKey } from "./auth/api-keys";
import { readCookie, SESSION_COOKIE, validateSessionToken } from "./auth/sessions";
import type { AppDeps } from "./deps";
import { dependencyOutageError } from "./http/dependency-outage";
import { OUTAGE_RETRY_AFTER_S } from "./http/outage-retry";
import { hitRateLimit, type RateLimitRule } from "./http/rate-limit";
import type { ResponseHeaders } from "./http/trpc-query";
import { inputError } from "./input-messages";

// Invalid input answers in the product's sentences wherever a schema has no message of its own.
z.config({ customError: inputError });

export interface RequestInfo {
  ip: string | null;
  origin: string | null;
  userAgent: string | null;
  authorization: string | null;
  cookie: string | null;
}

export interface Context {
  deps: AppDeps;
  request: RequestInfo;
  /** Headers of the response being built (cookies). */
  resHeaders: ResponseHeaders;
}

export interface Meta {
  /** API-key scope a procedure needs; session users have every scope their role allows. */
  scope?: ApiKeyScope;
  /** Lowest membership role allowed; API keys count as "admin" for reads and writes of content. */
  minRole?: Role;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      // Internal failures keep their detail in the logs; the caller gets a plain sentence, never SQL.
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      const zodIssues = error.cause instanceof ZodError ? error.cause.issues : null;
      return {
        ...shape,
        // Invalid input: the readable sentences of the schema, not zod's JSON dump of the issues.
        message: internal
          ? "Something went wrong on our side. Please try again."
          : zodIssues
            ? zodIssues.map((i) => i.message).join(" ")
            : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          zodIssues: zodIssues?.map((i) => ({ path: i.path.join("."), message: i.message })),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Outermost: a failure caused by PostgreSQL or Redis being away, wherever it happened, is a 503. */
const answerOutagesWith503 = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  const outage = result.ok ? null : dependencyOutageError(result.error);
  if (!outage) return result;
  ctx.resHeaders.set("Retry-After", String(OUTAGE_RETRY_AFTER_S));
  throw outage;
});

/**
 * Every procedure starts here: its raw input is refused with a 400 when it holds text PostgreSQL cannot store
 * (NUL, broken Unicode) or is nested deeper than any procedure takes, before any schema or query sees it.
 */
export const publicProcedure = t.procedure
  .use(answerOutagesWith503)
  .use(async ({ getRawInput, path, next }) => {
    noteProcedure(path);
    const problem = inputProblem(await getRawInput());
    if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: problem });
    return next();
  });

/** Names the request's procedure for its access log line and metrics (several in one batch: "batch"). */
function noteProcedure(path: string): void {
  const scope = currentScope();
  if (scope) scope.procedure = scope.procedure && scope.procedure !== path ? "batch" : path;
}

/** The request's caller, for its access log line: which tenant and what kind of credential (never which). */
export function noteCaller(tenantId: string | undefined, caller: "user" | "apiKey" | "visitor"): void {
  const scope = currentScope();
  if (!scope) return;
  scope.caller = caller;
  if (tenantId) scope.tenantId = tenantId;
}

function isAllowedOrigin(ctx: Context): boolean {
  return ctx.request.origin !== null && ctx.deps.config.dashboardOrigins.includes(ctx.request.origin);
}

export async function limitOrThrow(ctx: Context, key: string, rule: RateLimitRule): Promise<void> {
  const result = await hitRateLimit(ctx.deps.redis, `${ctx.deps.config.redisPrefix}rl:${key}`, rule);
  if (!result.allowed) {
    const seconds = Math.ceil(result.retryAfterMs / 1000);
    ctx.resHeaders.set("Retry-After", String(seconds));
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `Too many requests. Try again in ${seconds} s.`,
    });
  }
}

/** Calls one dashboard session may make, as many as an API key: a person clicking never comes close. */
export const SESSION_RATE_LIMIT: RateLimitRule = { limit: 600, windowMs: 60_000 };

/** The session behind the request's cookie; cookie mutations must come from an allowed Origin (CSRF). */
async function requireSession(ctx: Context, type: "query" | "mutation" | "subscription") {
  const token = readCookie(ctx.request.cookie, SESSION_COOKIE);
  const session = token
    ? await validateSessionToken(
        ctx.deps.db,
        ctx.deps.credentials.sessions,
        token,
        ctx.deps.config.sessionTtlMs,
        ctx.deps.clock(),
      )
    : null;
  if (!session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in." });
  if (type === "mutation" && !isAllowedOrigin(ctx)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This request came from an origin that may not use your session.",
    });
  }
  await limitOrThrow(ctx, `session:${session.id}`, SESSION_RATE_LIMIT);
  return session;
}

/** A signed-in dashboard user (session cookie). */
export const userProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const session = await requireSession(ctx, type);
  noteCaller(session.active_tenant_id ?? undefined, "user");
  return next({ ctx: { session, userId: session.user_id } });
});

export type Actor =
  | { kind: "user"; userId: string; sessionId: string; role: Role }
  | { kind: "apiKey"; keyId: string; scopes: ApiKeyScope[] };

const roleRank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return roleRank[role] >= roleRank[min];
}

/**
 * A tenant's member (session, active tenant) or integrator (API key). Puts `tenantId`, `actor`,
 * `inTenant` (a transaction where row-level security fixes the tenant), `readTenant` (the same
 * without a transaction, for reads) and `readLagging` (reads the read replica may serve, trailing the
 * latest writes by its lag: lists and figures, never what the caller just changed) on the context.
 */
export const tenantProcedure = publicProcedure.use(async ({ ctx, meta, type, next }) => {
  const now = ctx.deps.clock();
  const bearer = ctx.request.authorization?.match(/^Bearer (\S+)$/)?.[1];
  let tenantId: string;
  let actor: Actor;
  if (bearer?.startsWith(API_KEY_PREFIX)) {
    const key = await validateApiKey(ctx.deps.db, ctx.deps.credentials.apiKeys, bearer, now);
    if (!key)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "This API key is invalid, expired or revoked." });
    const scope = meta?.scope ?? (type === "mutation" ? "write" : "read");
    if (!key.scopes.includes(scope)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This API key lacks the "${scope}" scope.` });
    }
    if (meta?.minRole === "owner") {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "Only the tenant's owner can do this, not an API key.",
      });
    }
    await limitOrThrow(ctx, `key:${key.id}`, { limit: 600, windowMs: 60_000 });
    tenantId = key.tenantId;
    actor = { kind: "apiKey", keyId: key.id, scopes: key.scopes };
  } else {
    const session = await requireSession(ctx, type);
    if (!session.active_tenant_id)
      throw new TRPCError({ code: "FORBIDDEN", message: "Choose a workspace first." });
    // The role came with the session (cached with it, evicted with it on every membership change).
    const { role } = session;
    if (!role) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of this workspace." });
    if (meta?.minRole && !roleAtLeast(role, meta.minRole)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${meta.minRole} role.` });
    }
    tenantId = session.active_tenant_id;
    actor = { kind: "user", userId: session.user_id, sessionId: session.id, role };
  }
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(ctx.deps.db, tenantId, fn);
  const readTenant = <T>(fn: (reader: TenantReader) => Promise<T>) => readInTenant(ctx.deps.db, tenantId, fn);
  const readLagging = <T>(fn: (reader: TenantReader) => Promise<T>) =>
    readInTenant(ctx.deps.db, tenantId, fn, { lagTolerant: true });
  noteCaller(tenantId, actor.kind);
  return next({ ctx: { tenantId, actor, inTenant, readTenant, readLagging } });
});

/** A website visitor holding a token from `widget.start`, scoped to one chatbot. */
export const visitorProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const bearer = ctx.request.authorization?.match(/^Bearer (\S+)$/)?.[1];
  const visitor: VerifiedVisitor | null = bearer
    ? verifyVisitorToken(ctx.deps.config.appSecret, bearer, ctx.deps.clock())
    : null;
  if (!visitor)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Your chat session expired. Please reload." });
  await limitOrThrow(ctx, `visitor:${visitor.visitorId}`, { limit: 60, windowMs: 60_000 });
  if (ctx.request.ip) await limitOrThrow(ctx, `ip:${ctx.request.ip}`, { limit: 300, windowMs: 60_000 });
  noteCaller(visitor.tenantId, "visitor");
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(ctx.deps.db, visitor.tenantId, fn);
  return next({ ctx: { visitor, tenantId: visitor.tenantId, inTenant } });
});
