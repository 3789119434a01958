import { createProvider, isProviderError } from "@avatar-chat/ai";
import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import { sealSecret } from "../../crypto/secret-box";
import { limitOrThrow, router, tenantProcedure } from "../../trpc";
import { assertAllowedBaseUrl } from "./base-url";
import { providerSettingsFromRow, storedApiKey } from "./provider-settings";
import { findAiSettings, saveAiSettings } from "./queries";
import { aiSettingsInput, keyHint, settingsRefusal, testConnectionInput } from "./rules";

const TEST_TIMEOUT_MS = 10_000;

export const aiRouter = router({
  /** The settings without the key: only whether one is stored and its last four characters. */
  get: tenantProcedure.meta({ scope: "read", minRole: "admin" }).query(({ ctx }) =>
    ctx.inTenant(async (tx) => {
      const row = await findAiSettings(tx, ctx.tenantId);
      return {
        provider: row?.provider ?? "offline",
        baseUrl: row?.base_url ?? null,
        chatModel: row?.chat_model ?? null,
        embeddingModel: row?.embedding_model ?? null,
        apiKeySet: Boolean(row?.api_key_encrypted),
        apiKeyLast4: row ? keyHint(storedApiKey(ctx.deps.config.appSecret, row)) : null,
        updatedAt: row?.updated_at ?? null,
      };
    }),
  ),

  update: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(aiSettingsInput)
    .mutation(async ({ ctx, input }) => {
      await assertAllowedBaseUrl(input.baseUrl, ctx.deps.config.aiNetwork);
      return ctx.inTenant(async (tx) => {
        const current = await findAiSettings(tx, ctx.tenantId);
        const apiKeyEncrypted =
          input.apiKey === undefined
            ? (current?.api_key_encrypted ?? null)
            : input.apiKey === null
              ? null
              : sealSecret(ctx.deps.config.appSecret, input.apiKey, ctx.tenantId);
        const refusal = settingsRefusal(input, apiKeyEncrypted !== null);
        if (refusal) throw new TRPCError({ code: "BAD_REQUEST", message: refusal });
        const saved = await saveAiSettings(tx, ctx.tenantId, { ...input, apiKeyEncrypted }, ctx.deps.clock());
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "ai_settings.updated",
          targetType: "ai_settings",
          targetId: ctx.tenantId,
          ip: ctx.request.ip,
          detail: {
            provider: input.provider,
            baseUrl: input.baseUrl,
            chatModel: input.chatModel,
            embeddingModel: input.embeddingModel,
            apiKey: input.apiKey === undefined ? "kept" : input.apiKey === null ? "removed" : "changed",
          },
        });
        return { provider: saved.provider, updatedAt: saved.updated_at };
      });
    }),

  /** Calls the provider with the saved settings, or with the form's unsaved ones. Never throws for a provider failure. */
  testConnection: tenantProcedure
    .meta({ scope: "write", minRole: "admin" })
    .input(testConnectionInput)
    .mutation(async ({ ctx, input }) => {
      await limitOrThrow(ctx, `ai-test:${ctx.tenantId}`, { limit: 10, windowMs: 60_000 });
      const appSecret = ctx.deps.config.appSecret;
      const current = await ctx.inTenant((tx) => findAiSettings(tx, ctx.tenantId));
      let settings = providerSettingsFromRow(appSecret, current);
      if (input) {
        const apiKey =
          input.apiKey === undefined && current ? storedApiKey(appSecret, current) : input.apiKey;
        const refusal = settingsRefusal(input, Boolean(apiKey));
        if (refusal) throw new TRPCError({ code: "BAD_REQUEST", message: refusal });
        await assertAllowedBaseUrl(input.baseUrl, ctx.deps.config.aiNetwork);
        settings =
          input.provider === "offline" || !apiKey || !input.chatModel || !input.embeddingModel
            ? { kind: "offline" }
            : {
                kind: "openai",
                apiKey,
                chatModel: input.chatModel,
                embeddingModel: input.embeddingModel,
                ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
              };
      }
      try {
        await createProvider(settings, {
          timeoutMs: TEST_TIMEOUT_MS,
          network: ctx.deps.config.aiNetwork,
        }).testConnection();
        return { ok: true as const, provider: settings.kind };
      } catch (error) {
        if (!isProviderError(error)) throw error;
        return { ok: false as const, provider: settings.kind, kind: error.kind, message: error.message };
      }
    }),
});
