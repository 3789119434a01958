import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import { forgetApiKey, generateApiKey } from "../../auth/api-keys";
import { announceKeyRevocation } from "../../auth/credential-changes";
import { type Actor, router, tenantProcedure } from "../../trpc";
import { insertApiKey, listApiKeys, revokeApiKey } from "./queries";
import { apiKeyIdInput, createApiKeyInput, expiryRefusal } from "./rules";

// Keys are managed from the dashboard only: a leaked key must not be able to mint or revoke keys.
function dashboardUser(actor: Actor) {
  if (actor.kind !== "user") {
    throw new TRPCError({ code: "FORBIDDEN", message: "API keys are managed from the dashboard." });
  }
  return actor;
}

export const apiKeyRouter = router({
  create: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(createApiKeyInput)
    .mutation(async ({ ctx, input }) => {
      const actor = dashboardUser(ctx.actor);
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      const refusal = expiresAt && expiryRefusal(expiresAt, ctx.deps.clock());
      if (refusal) throw new TRPCError({ code: "BAD_REQUEST", message: refusal });
      const generated = generateApiKey();
      const key = await ctx.inTenant(async (tx) => {
        const row = await insertApiKey(tx, {
          tenantId: ctx.tenantId,
          name: input.name,
          prefix: generated.prefix,
          hash: generated.hash,
          scopes: input.scopes,
          createdBy: actor.userId,
          expiresAt,
        });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor,
          action: "api_key.created",
          targetType: "api_key",
          targetId: row.id,
          ip: ctx.request.ip,
          detail: { name: row.name, prefix: row.prefix, scopes: row.scopes },
        });
        return row;
      });
      // The only time the full key leaves the server: only its hash is stored.
      return { ...key, key: generated.key };
    }),

  list: tenantProcedure
    .meta({ scope: "read", minRole: "admin" })
    .query(({ ctx }) => ctx.readTenant((db) => listApiKeys(db, ctx.tenantId))),

  revoke: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(apiKeyIdInput)
    .mutation(async ({ ctx, input }) => {
      const actor = dashboardUser(ctx.actor);
      await ctx.inTenant(async (tx) => {
        const revoked = await revokeApiKey(tx, ctx.tenantId, input.keyId, ctx.deps.clock());
        if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "No such active API key." });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor,
          action: "api_key.revoked",
          targetType: "api_key",
          targetId: revoked.id,
          ip: ctx.request.ip,
          detail: { prefix: revoked.prefix },
        });
      });
      forgetApiKey(ctx.deps.credentials.apiKeys, input.keyId);
      await announceKeyRevocation(ctx.deps.redis, ctx.deps.config.redisPrefix, input.keyId);
      return { ok: true };
    }),
});
