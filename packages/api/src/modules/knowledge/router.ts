import { createProvider, hybridSearch, isProviderError } from "@avatar-chat/ai";
import { enqueueIndex } from "@avatar-chat/worker/producer";
import { TRPCError } from "@trpc/server";
import type { AppDeps } from "../../deps";
import { adoptUpload, deleteStored, UPLOAD_URL_SECONDS, uploadKey } from "../../storage";
import { router, tenantProcedure } from "../../trpc";
import { providerSettingsFor } from "../ai";
import { findChatbotId } from "../chatbot";
import {
  deleteSource,
  findSource,
  insertSource,
  knowledgeBudget,
  listSources,
  markFailed,
  markPending,
  sourceView,
} from "./queries";
import {
  addTextInput,
  addUrlInput,
  createUploadInput,
  knowledgeSizeProblem,
  listSourcesInput,
  searchPreviewInput,
  sourceIdInput,
  titleFromUrl,
} from "./rules";

const read = { scope: "read" } as const;
const write = { scope: "write", minRole: "admin" } as const;
const noChatbot = () => new TRPCError({ code: "NOT_FOUND", message: "No such chatbot." });
const noSource = () => new TRPCError({ code: "NOT_FOUND", message: "No such knowledge source." });

/**
 * Asks the worker to (re)index a source. The request time in the job id (the row's `updated_at`, which the
 * worker's redelivery sweep uses too) lets a later re-index run again while a re-sent request collapses.
 */
function enqueueIndexOf(deps: AppDeps, tenantId: string, sourceId: string, requestedAt: Date) {
  return enqueueIndex(deps.queues.kbIndex, { tenantId, sourceId }, requestedAt);
}

/** The question's embedding from the tenant's provider: the same one that embedded its chunks. */
async function embedQuestion(deps: AppDeps, tenantId: string, question: string): Promise<number[]> {
  const provider = createProvider(await providerSettingsFor(deps.db, deps.config.appSecret, tenantId), {
    network: deps.config.aiNetwork,
  });
  try {
    const [embedding] = await provider.embed([question]);
    return embedding!;
  } catch (error) {
    if (!isProviderError(error)) throw error;
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `Your AI provider could not embed the question: ${error.message}`,
      cause: error,
    });
  }
}

export const knowledgeRouter = router({
  /** One page of the chatbot's sources, newest first; the next with `cursor: nextCursor` (null at the end). */
  list: tenantProcedure
    .meta(read)
    .input(listSourcesInput)
    .query(async ({ ctx, input }) => {
      const page = await ctx.inTenant(async (tx) => {
        if (!(await findChatbotId(tx, ctx.tenantId, input.chatbotId))) throw noChatbot();
        return listSources(tx, ctx.tenantId, input);
      });
      return { items: page.rows.map(sourceView), nextCursor: page.nextCursor };
    }),

  /** A pending file source and a presigned PUT URL; `confirmUpload` starts indexing once the file is there. */
  createUpload: tenantProcedure
    .meta(write)
    .input(createUploadInput)
    .mutation(async ({ ctx, input }) => {
      const source = await ctx.inTenant(async (tx) => {
        if (!(await findChatbotId(tx, ctx.tenantId, input.chatbotId))) throw noChatbot();
        const budget = await knowledgeBudget(tx, ctx.tenantId);
        const problem = knowledgeSizeProblem(input.sizeBytes, {
          maxUploadBytes: ctx.deps.config.maxUploadBytes,
          ...budget,
        });
        if (problem) throw new TRPCError(problem);
        return insertSource(tx, {
          tenantId: ctx.tenantId,
          chatbotId: input.chatbotId,
          kind: "file",
          title: input.name,
          contentType: input.contentType,
          sizeBytes: input.sizeBytes,
          stored: true,
        });
      });
      const uploadUrl = await ctx.deps.storage.presignPut(
        uploadKey(source.storage_key!),
        { contentType: input.contentType, contentLength: input.sizeBytes },
        UPLOAD_URL_SECONDS,
      );
      return { source: sourceView(source), uploadUrl, headers: { "content-type": input.contentType } };
    }),

  /** Checks the uploaded object's real size against the limits, then enqueues indexing. */
  confirmUpload: tenantProcedure
    .meta(write)
    .input(sourceIdInput)
    .mutation(async ({ ctx, input }) => {
      const { deps } = ctx;
      const source = await ctx.inTenant((tx) => findSource(tx, ctx.tenantId, input.sourceId));
      if (!source || source.kind !== "file" || !source.storage_key) throw noSource();
      // Once: the upload URL may still work for minutes, and a second confirmation would adopt its new object.
      if (source.checksum !== null)
        throw new TRPCError({ code: "CONFLICT", message: "This upload was confirmed already." });
      const head = await adoptUpload(deps.storage, source.storage_key);
      if (!head || head.size === 0)
        throw new TRPCError({ code: "BAD_REQUEST", message: "The file has not been uploaded yet." });
      const now = deps.clock();
      const updated = await ctx.inTenant(async (tx) => {
        const budget = await knowledgeBudget(tx, ctx.tenantId, source.id);
        const problem = knowledgeSizeProblem(head.size, {
          maxUploadBytes: deps.config.maxUploadBytes,
          ...budget,
        });
        if (problem) return { problem, row: null };
        return {
          problem: null,
          row: await markPending(tx, ctx.tenantId, source.id, now, {
            sizeBytes: head.size,
            etag: head.etag ?? "", // every S3 answers an ETag; "" still marks the upload confirmed
          }),
        };
      });
      if (updated.problem) {
        // Too large after all (the declared size was wrong): the object goes, the row stays as a failed source.
        await deps.storage.delete(source.storage_key);
        await ctx.inTenant((tx) => markFailed(tx, ctx.tenantId, source.id, updated.problem.message, now));
        throw new TRPCError(updated.problem);
      }
      await enqueueIndexOf(deps, ctx.tenantId, source.id, now);
      return sourceView(updated.row);
    }),

  addUrl: tenantProcedure
    .meta(write)
    .input(addUrlInput)
    .mutation(async ({ ctx, input }) => {
      const source = await ctx.inTenant(async (tx) => {
        if (!(await findChatbotId(tx, ctx.tenantId, input.chatbotId))) throw noChatbot();
        return insertSource(tx, {
          tenantId: ctx.tenantId,
          chatbotId: input.chatbotId,
          kind: "url",
          title: input.title ?? titleFromUrl(input.url),
          url: input.url,
          stored: false,
        });
      });
      await enqueueIndexOf(ctx.deps, ctx.tenantId, source.id, source.updated_at);
      return sourceView(source);
    }),

  /** Pasted text is stored as an object like a file, so the worker reads every kind the same way. */
  addText: tenantProcedure
    .meta(write)
    .input(addTextInput)
    .mutation(async ({ ctx, input }) => {
      const { deps } = ctx;
      const bytes = new TextEncoder().encode(input.text);
      const source = await ctx.inTenant(async (tx) => {
        if (!(await findChatbotId(tx, ctx.tenantId, input.chatbotId))) throw noChatbot();
        const budget = await knowledgeBudget(tx, ctx.tenantId);
        const problem = knowledgeSizeProblem(bytes.byteLength, {
          maxUploadBytes: deps.config.maxUploadBytes,
          ...budget,
        });
        if (problem) throw new TRPCError(problem);
        return insertSource(tx, {
          tenantId: ctx.tenantId,
          chatbotId: input.chatbotId,
          kind: "text",
          title: input.title,
          contentType: "text/plain",
          sizeBytes: bytes.byteLength,
          stored: true,
        });
      });
      try {
        await deps.storage.put(source.storage_key!, bytes, "text/plain; charset=utf-8");
      } catch (error) {
        await ctx.inTenant((tx) => deleteSource(tx, ctx.tenantId, source.id));
        throw error;
      }
      await enqueueIndexOf(deps, ctx.tenantId, source.id, source.updated_at);
      return sourceView(source);
    }),

  reindex: tenantProcedure
    .meta(write)
    .input(sourceIdInput)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.deps.clock();
      const row = await ctx.inTenant(async (tx) => {
        if (!(await findSource(tx, ctx.tenantId, input.sourceId))) throw noSource();
        return markPending(tx, ctx.tenantId, input.sourceId, now);
      });
      await enqueueIndexOf(ctx.deps, ctx.tenantId, row.id, now);
      return sourceView(row);
    }),

  /** Deletes the source, its chunks (cascade) and its stored object. */
  delete: tenantProcedure
    .meta(write)
    .input(sourceIdInput)
    .mutation(async ({ ctx, input }) => {
      const deleted = await ctx.inTenant((tx) => deleteSource(tx, ctx.tenantId, input.sourceId));
      if (!deleted) throw noSource();
      if (deleted.storage_key) {
        await deleteStored(ctx.deps.storage, deleted.storage_key).catch((error: unknown) => {
          ctx.deps.logger.warn({ err: error }, "knowledge.delete: could not delete the stored file");
        });
      }
      return { ok: true };
    }),

  /** "Which chunks would this question retrieve?": the same hybrid search the worker runs for a reply. */
  searchPreview: tenantProcedure
    .meta(read)
    .input(searchPreviewInput)
    .query(async ({ ctx, input }) => {
      // The chatbot is checked before the provider is asked, so a wrong id costs no embedding call.
      if (!(await ctx.inTenant((tx) => findChatbotId(tx, ctx.tenantId, input.chatbotId)))) throw noChatbot();
      const embedding = await embedQuestion(ctx.deps, ctx.tenantId, input.question);
      const hits = await ctx.inTenant((tx) =>
        hybridSearch(tx, {
          tenantId: ctx.tenantId,
          chatbotId: input.chatbotId,
          embedding,
          text: input.question,
          limit: input.limit,
        }),
      );
      return hits.map((hit) => ({
        chunkId: hit.chunkId,
        sourceId: hit.sourceId,
        sourceTitle: hit.sourceTitle,
        sourceUrl: hit.sourceUrl,
        content: hit.content,
        score: hit.score,
        vectorRank: hit.vectorRank,
        textRank: hit.textRank,
      }));
    }),
});
