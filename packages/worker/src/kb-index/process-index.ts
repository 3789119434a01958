import {
  EXTRACTABLE_CONTENT_TYPES,
  ExtractError,
  isProviderError,
  type Provider,
  prepareDocument,
  SafeFetchError,
  type SafeFetchOptions,
  safeFetch,
} from "@avatar-chat/ai";
import { type Database, type KnowledgeSource, type KnowledgeStatus, withTenant } from "@avatar-chat/db";
import { publishEvent, tenantChannel } from "@avatar-chat/protocol";
import { kbIndexJob } from "@avatar-chat/protocol/jobs";
import { currentScope, type Logger } from "@avatar-chat/telemetry";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { parsePayload } from "../payload";
import { isFinalAttempt, type JobAttempt } from "../queues";
import { readableError } from "../readable-error";
import { findSource, markIndexing, replaceChunks, setSourceStatus } from "./queries";

/** Object storage as the worker needs it: one object as a stream, if it is still the version `ifMatch` names. */
export interface StorageReader {
  open(
    key: string,
    options: { ifMatch: string | null },
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number } | "missing" | "changed">;
}

export interface IndexDeps {
  db: Kysely<Database>;
  redis: Redis;
  prefix: string;
  storage: StorageReader;
  providerFor: (tenantId: string) => Provider | Promise<Provider>;
  clock: () => Date;
  logger: Logger;
  /** Overrides for URL sources (tests point them at a local server). */
  fetchOptions?: Partial<SafeFetchOptions>;
}

/** Texts per embedding request: large enough to be quick, small enough for every provider's request cap. */
export const EMBED_BATCH = 64;
const URL_MAX_BYTES = 10 * 1024 * 1024;
const URL_TIMEOUT_MS = 15_000;

/** A problem with the document itself; retrying will not fix it. */
class SourceError extends Error {
  override readonly name = "SourceError";
}

export type IndexOutcome = "ready" | "failed" | "missing";

/** The kb-index job: load, extract, chunk, embed, then swap the source's chunks in one transaction. */
export async function processKbIndex(deps: IndexDeps, job: JobAttempt): Promise<IndexOutcome> {
  const data = parsePayload(kbIndexJob, job.data);
  const inTenant = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(deps.db, data.tenantId, fn);
  const source = await inTenant((tx) => findSource(tx, data.sourceId));
  if (!source) {
    deps.logger.warn({ sourceId: data.sourceId }, "kb-index: source not found");
    return "missing";
  }
  const announce = (status: KnowledgeStatus, extra: { error?: string; chunkCount?: number } = {}) =>
    publishEvent(
      deps.redis,
      tenantChannel(data.tenantId),
      { type: "knowledge.status", sourceId: source.id, chatbotId: source.chatbot_id, status, ...extra },
      { prefix: deps.prefix, now: deps.clock(), requestId: currentScope()?.requestId },
    );

  await inTenant((tx) => markIndexing(tx, source.id));
  await announce("indexing");

  try {
    const { content, contentType, url } = await openSource(deps, source);
    const provider = await deps.providerFor(data.tenantId);
    // The bytes stream into a worker thread, which extracts, chunks and embeds (offline) there, keeps the
    // chunks and their vectors and hands them over as rows, one insert batch at a time: the event loop
    // never holds the whole file, and only moves pieces and batches.
    let sizeBytes = 0;
    const counted = async function* () {
      for await (const chunk of content) {
        sizeBytes += chunk.byteLength;
        yield chunk;
      }
    };
    const document = await prepareDocument(counted(), {
      contentType,
      ...(url ? { url } : {}),
      embedOffline: provider.kind === "offline",
    });
    let stored: boolean;
    try {
      if (document.chunkCount === 0) throw new SourceError("the document contains no readable text");
      if (provider.kind !== "offline") {
        for (let from = 0; from < document.chunkCount; from += EMBED_BATCH) {
          const texts = await document.texts(from, Math.min(from + EMBED_BATCH, document.chunkCount));
          const vectors = await provider.embed(texts);
          if (vectors.length !== texts.length)
            throw new Error(`${texts.length} texts embedded as ${vectors.length} vectors`);
          await document.setEmbeddings(from, vectors);
        }
      }
      stored = await inTenant((tx) => replaceChunks(tx, { source, document, sizeBytes, at: deps.clock() }));
    } finally {
      await document.close();
    }
    if (!stored) return "missing";
    await announce("ready", { chunkCount: document.chunkCount });
    return "ready";
  } catch (error) {
    const retryable = isRetryable(error);
    if (retryable && !isFinalAttempt(job.attemptsMade, job.opts.attempts)) throw error;
    const message = readableError(error);
    deps.logger.warn({ sourceId: source.id, err: error }, "kb-index: source failed");
    await inTenant((tx) =>
      setSourceStatus(tx, { sourceId: source.id, status: "failed", error: message, at: deps.clock() }),
    );
    await announce("failed", { error: message });
    throw new UnrecoverableError(message);
  }
}

async function openSource(
  deps: IndexDeps,
  source: KnowledgeSource,
): Promise<{ content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; contentType: string; url?: string }> {
  if (source.kind === "url") {
    if (!source.url) throw new SourceError("the source has no URL");
    const fetched = await safeFetch(source.url, {
      maxBytes: URL_MAX_BYTES,
      timeoutMs: URL_TIMEOUT_MS,
      allowedContentTypes: [...EXTRACTABLE_CONTENT_TYPES, "application/octet-stream"],
      ...deps.fetchOptions,
    });
    return { content: fetched.parts, contentType: fetched.contentType, url: fetched.url };
  }
  // Files and pasted text both live in object storage under storage_key (the api writes text as text/plain).
  if (!source.storage_key) throw new SourceError("the source has no stored content");
  // Only the object the api checked: its size at confirmation (within the upload cap) and, for an
  // upload, its ETag. An upload URL re-used after confirmation changes the object, and is refused here.
  const file = await deps.storage.open(source.storage_key, { ifMatch: source.checksum });
  if (file === "missing") throw new SourceError("the stored file is gone; upload it again");
  if (file === "changed") throw new SourceError("the file changed after it was checked; upload it again");
  const maxBytes = Number(source.size_bytes);
  if (file.size > maxBytes) {
    await file.body.cancel();
    throw tooLarge();
  }
  const contentType =
    source.content_type ?? (source.kind === "text" ? "text/plain" : "application/octet-stream");
  // The title of an uploaded file is its name: its extension types a file stored as octet-stream.
  return {
    content: capped(file.body, maxBytes),
    contentType,
    ...(source.kind === "file" ? { url: source.title } : {}),
  };
}

const tooLarge = () =>
  new SourceError("the stored file is larger than the size checked at upload; upload it again");

/** The stream's chunks, failing (and cancelling it) once they add up to more than `maxBytes`. */
async function* capped(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      total += read.value.byteLength;
      if (total > maxBytes) throw tooLarge();
      yield read.value;
    }
  } finally {
    await reader.cancel();
  }
}

// Document problems (unsupported type, broken PDF, blocked URL, 404) fail at once; outages are retried.
function isRetryable(error: unknown): boolean {
  if (error instanceof SourceError) return false;
  if (isProviderError(error)) return error.retryable;
  if (error instanceof ExtractError) return false;
  if (error instanceof SafeFetchError) return error.retryable;
  return true;
}
