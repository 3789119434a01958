import type { Tx } from "@avatar-chat/db";
import { forgetConversationChannels } from "@avatar-chat/protocol";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit";
import { randomToken } from "../../auth/tokens";
import type { AppDeps } from "../../deps";
import { adoptUpload, deleteStored, UPLOAD_URL_SECONDS, uploadKey } from "../../storage";
import { router, tenantProcedure } from "../../trpc";
import {
  chatbotView,
  countChatbots,
  deleteAvatarAsset,
  deleteChatbot,
  findAvatarAsset,
  findChatbot,
  insertAvatarAsset,
  insertChatbot,
  listAvatarAssets,
  listChatbots,
  lockTenantLimits,
  markAvatarReady,
  setPublished,
  settingsColumns,
  updateChatbot,
} from "./queries";
import {
  type AvatarSettingsInput,
  avatarUploadProblem,
  canCreateChatbot,
  chatbotIdInput,
  createAvatarUploadInput,
  createChatbotInput,
  embedSnippet,
  MAX_AVATAR_BYTES,
  PUBLIC_KEY_PREFIX,
  updateChatbotInput,
} from "./rules";
import { voiceSample } from "./voice-sample";

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such chatbot." });
const newPublicKey = () => `${PUBLIC_KEY_PREFIX}${randomToken()}`;
const read = { scope: "read" } as const;
const write = { scope: "write", minRole: "admin" } as const;

async function checkPlanLimit(tx: Tx, tenantId: string) {
  const limits = await lockTenantLimits(tx, tenantId);
  if (!canCreateChatbot({ maxChatbots: limits.max_chatbots }, await countChatbots(tx, tenantId))) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `Your plan allows ${limits.max_chatbots} chatbots. Delete one or upgrade your plan to add another.`,
    });
  }
}

/** A custom avatar must be one of the tenant's ready uploads, in the format chosen. */
async function checkAvatar(tx: Tx, tenantId: string, avatar: AvatarSettingsInput | undefined) {
  if (!avatar || avatar.kind === "default" || !avatar.assetId) return;
  const asset = await findAvatarAsset(tx, tenantId, avatar.assetId);
  if (!asset || asset.status !== "ready")
    throw new TRPCError({ code: "BAD_REQUEST", message: "Upload the avatar file before choosing it." });
  if (asset.format !== avatar.kind)
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `This avatar is a ${asset.format.toUpperCase()} file.`,
    });
}

function forgetWidget(deps: AppDeps, chatbot: { id: string; public_key: string }) {
  deps.widgetCache.forget({ id: chatbot.id, publicKey: chatbot.public_key });
}

const avatarStorageKey = (tenantId: string, format: "glb" | "vrm") => (id: string) =>
  `tenants/${tenantId}/avatars/${id}.${format}`;

/** publish and unpublish differ only in the flag they set. */
function publishedProcedure(published: boolean) {
  return tenantProcedure
    .meta(write)
    .input(chatbotIdInput)
    .mutation(async ({ ctx, input }) => {
      const row = await ctx.inTenant((tx) =>
        setPublished(tx, ctx.tenantId, input.chatbotId, published, ctx.deps.clock()),
      );
      if (!row) throw notFound();
      forgetWidget(ctx.deps, row);
      return chatbotView(row);
    });
}

export const chatbotRouter = router({
  list: tenantProcedure
    .meta(read)
    .query(async ({ ctx }) =>
      (await ctx.readTenant((db) => listChatbots(db, ctx.tenantId))).map(chatbotView),
    ),

  get: tenantProcedure
    .meta(read)
    .input(chatbotIdInput)
    .query(async ({ ctx, input }) => {
      const row = await ctx.readTenant((db) => findChatbot(db, ctx.tenantId, input.chatbotId));
      if (!row) throw notFound();
      return chatbotView(row);
    }),

  create: tenantProcedure
    .meta(write)
    .input(createChatbotInput)
    .mutation(async ({ ctx, input }) => {
      const row = await ctx.inTenant(async (tx) => {
        await checkPlanLimit(tx, ctx.tenantId);
        await checkAvatar(tx, ctx.tenantId, input.avatar);
        const created = await insertChatbot(tx, ctx.tenantId, newPublicKey(), {
          ...settingsColumns(input),
          name: input.name,
        });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "chatbot.created",
          targetType: "chatbot",
          targetId: created.id,
          ip: ctx.request.ip,
        });
        return created;
      });
      return chatbotView(row);
    }),

  update: tenantProcedure
    .meta(write)
    .input(updateChatbotInput)
    .mutation(async ({ ctx, input }) => {
      const { chatbotId, ...settings } = input;
      const row = await ctx.inTenant(async (tx) => {
        await checkAvatar(tx, ctx.tenantId, settings.avatar);
        return updateChatbot(tx, ctx.tenantId, chatbotId, settingsColumns(settings), ctx.deps.clock());
      });
      if (!row) throw notFound();
      forgetWidget(ctx.deps, row);
      return chatbotView(row);
    }),

  publish: publishedProcedure(true),
  unpublish: publishedProcedure(false),

  /** A copy of the settings (not the knowledge or conversations) under a new public key, unpublished. */
  duplicate: tenantProcedure
    .meta(write)
    .input(chatbotIdInput)
    .mutation(async ({ ctx, input }) => {
      const row = await ctx.inTenant(async (tx) => {
        const source = await findChatbot(tx, ctx.tenantId, input.chatbotId);
        if (!source) throw notFound();
        await checkPlanLimit(tx, ctx.tenantId);
        const copy = await insertChatbot(tx, ctx.tenantId, newPublicKey(), {
          name: `Copy of ${source.name}`.slice(0, 80),
          persona: source.persona,
          greeting: source.greeting,
          locale: source.locale,
          model: source.model,
          temperature: source.temperature,
          max_tokens: source.max_tokens,
          avatar: JSON.stringify(source.avatar),
          avatar_asset_id: source.avatar_asset_id,
          theme: JSON.stringify(source.theme),
          allowed_origins: source.allowed_origins,
        });
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "chatbot.created",
          targetType: "chatbot",
          targetId: copy.id,
          ip: ctx.request.ip,
          detail: { duplicateOf: input.chatbotId },
        });
        return copy;
      });
      return chatbotView(row);
    }),

  /** Deletes the chatbot with its knowledge, visitors, conversations and usage rows, its files in storage (knowledge files, kept recordings) and its conversations' realtime keys in Redis. */
  delete: tenantProcedure
    .meta(write)
    .input(chatbotIdInput)
    .mutation(async ({ ctx, input }) => {
      const { deps } = ctx;
      const result = await ctx.inTenant(async (tx) => {
        const row = await findChatbot(tx, ctx.tenantId, input.chatbotId);
        if (!row) throw notFound();
        const deleted = await deleteChatbot(tx, ctx.tenantId, row.id);
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "chatbot.deleted",
          targetType: "chatbot",
          targetId: row.id,
          ip: ctx.request.ip,
          detail: { name: row.name },
        });
        return { row, ...deleted };
      });
      forgetWidget(deps, result.row);
      // The rows are gone; keys Redis could not delete now are left to the housekeeping's orphan sweep.
      await forgetConversationChannels(
        deps.redis,
        deps.config.redisPrefix,
      )(result.conversationIds).catch((error: unknown) => {
        deps.logger.warn(
          { conversations: result.conversationIds.length, err: error },
          "chatbot.delete: could not delete the conversations' realtime keys; the housekeeping sweep will",
        );
      });
      for (const key of result.storageKeys) {
        // The rows are gone either way; a file left behind is logged, not shown to the user.
        await deleteStored(deps.storage, key).catch((error: unknown) => {
          deps.logger.warn({ key, err: error }, "chatbot.delete: could not delete a stored file");
        });
      }
      return { ok: true };
    }),

  embedSnippet: tenantProcedure
    .meta(read)
    .input(chatbotIdInput)
    .query(async ({ ctx, input }) => {
      const row = await ctx.readTenant((db) => findChatbot(db, ctx.tenantId, input.chatbotId));
      if (!row) throw notFound();
      return { publicKey: row.public_key, snippet: embedSnippet(ctx.deps.config.publicUrl, row.public_key) };
    }),

  voiceSample,

  avatar: router({
    /** A pending asset and a presigned PUT URL; the browser uploads straight to storage. */
    createUpload: tenantProcedure
      .meta(write)
      .input(createAvatarUploadInput)
      .mutation(async ({ ctx, input }) => {
        const maxBytes = Math.min(MAX_AVATAR_BYTES, ctx.deps.config.maxUploadBytes);
        const problem = avatarUploadProblem(input, maxBytes);
        if (problem) {
          const tooLarge = input.sizeBytes > maxBytes;
          throw new TRPCError({ code: tooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message: problem });
        }
        const contentType = input.contentType.toLowerCase();
        const asset = await ctx.inTenant((tx) =>
          insertAvatarAsset(
            tx,
            {
              tenantId: ctx.tenantId,
              name: input.name,
              format: input.format,
              contentType,
              sizeBytes: input.sizeBytes,
            },
            avatarStorageKey(ctx.tenantId, input.format),
          ),
        );
        const uploadUrl = await ctx.deps.storage.presignPut(
          uploadKey(asset.storage_key),
          { contentType, contentLength: input.sizeBytes },
          UPLOAD_URL_SECONDS,
        );
        return { assetId: asset.id, uploadUrl, headers: { "content-type": contentType } };
      }),

    /** Checks the uploaded object (it exists, its size and type) and marks the asset ready. */
    confirm: tenantProcedure
      .meta(write)
      .input(z.object({ assetId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        const asset = await ctx.inTenant((tx) => findAvatarAsset(tx, ctx.tenantId, input.assetId));
        if (!asset) throw new TRPCError({ code: "NOT_FOUND", message: "No such avatar." });
        // Once: the upload URL may still work for minutes, and a second confirmation would adopt its new object.
        if (asset.status === "ready")
          throw new TRPCError({ code: "CONFLICT", message: "This avatar was confirmed already." });
        const head = await adoptUpload(ctx.deps.storage, asset.storage_key);
        if (!head)
          throw new TRPCError({ code: "BAD_REQUEST", message: "The avatar file has not been uploaded yet." });
        const maxBytes = Math.min(MAX_AVATAR_BYTES, ctx.deps.config.maxUploadBytes);
        const problem = avatarUploadProblem(
          { format: asset.format, contentType: head.contentType ?? "", sizeBytes: head.size },
          maxBytes,
        );
        if (problem || head.size === 0) {
          await ctx.deps.storage.delete(asset.storage_key);
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: problem ?? "The uploaded avatar file is empty.",
          });
        }
        const ready = await ctx.inTenant((tx) =>
          markAvatarReady(tx, ctx.tenantId, asset.id, { sizeBytes: head.size, etag: head.etag }),
        );
        return {
          id: ready.id,
          name: ready.name,
          format: ready.format,
          sizeBytes: Number(ready.size_bytes),
          status: ready.status,
        };
      }),

    list: tenantProcedure.meta(read).query(async ({ ctx }) => {
      const rows = await ctx.readTenant((db) => listAvatarAssets(db, ctx.tenantId));
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        format: r.format,
        contentType: r.content_type,
        sizeBytes: Number(r.size_bytes),
        status: r.status,
        createdAt: r.created_at,
      }));
    }),

    delete: tenantProcedure
      .meta(write)
      .input(z.object({ assetId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        const deleted = await ctx.inTenant((tx) =>
          deleteAvatarAsset(tx, ctx.tenantId, input.assetId, ctx.deps.clock()),
        );
        if (!deleted) throw new TRPCError({ code: "NOT_FOUND", message: "No such avatar." });
        // Chatbots showing it went back to the default avatar; their cached configs must go too.
        ctx.deps.widgetCache.byPublicKey.clear();
        ctx.deps.widgetCache.byChatbotId.clear();
        await deleteStored(ctx.deps.storage, deleted.storage_key).catch((error: unknown) => {
          ctx.deps.logger.warn({ err: error }, "avatar.delete: could not delete the stored file");
        });
        return { ok: true };
      }),
  }),
});
