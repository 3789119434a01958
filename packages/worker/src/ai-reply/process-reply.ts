import {
  buildPrompt,
  type CueStripResult,
  citationsFrom,
  createCueStripper,
  isProviderError,
  type Provider,
  type ProviderError,
} from "@avatar-chat/ai";
import { isDependencyUnavailable } from "@avatar-chat/config";
import { type Citation, type Database, readInTenant, withTenant } from "@avatar-chat/db";
import {
  type AvatarCue,
  conversationChannel,
  publishEvent,
  type RealtimeEvent,
  tenantChannel,
} from "@avatar-chat/protocol";
import { type AiReplyJob, aiReplyJob, stopReplyKey } from "@avatar-chat/protocol/jobs";
import { inSpan, type Logger, type Metrics, SpanKind } from "@avatar-chat/telemetry";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { parsePayload } from "../payload";
import { isFinalAttempt, type JobAttempt } from "../queues";
import type { StartReplyVoice } from "../voice/reply-voice";
import { loadReplyContext, type ReplyContext, type StoredReply, saveReply } from "./queries";
import { replyMessageId } from "./reply-id";
import { embedQuestion, type RetrievedChunk, retrieveChunks } from "./retrieve";
import { isStopRequest, isUnanswered, preview, UNAVAILABLE_REPLY } from "./rules";

export interface ReplyDeps {
  db: Kysely<Database>;
  /** Publishes events and holds the per-reply markers; a plain (non-blocking) client. */
  redis: Redis;
  prefix: string;
  providerFor: (tenantId: string) => Provider | Promise<Provider>;
  clock: () => Date;
  logger: Logger;
  /** Whole generation budget of one attempt; past it the attempt is abandoned and retried. */
  timeoutMs: number;
  /** Speaks the answer sentence by sentence when the visitor has voice on (voice/reply-voice.ts). */
  voice?: StartReplyVoice;
  /** Reply timings, tokens and provider errors; unset: not recorded. */
  metrics?: Metrics["ai"];
}

export type ReplyOutcome = "complete" | "stopped" | "failed" | "already-stored" | "agent-handoff" | "missing";

/** Key marking that an attempt of this reply has published deltas (so the next attempt discards them first). */
export const streamedKey = (prefix: string, replyId: string) => `${prefix}reply:streamed:${replyId}`;
const STREAMED_TTL_S = 24 * 3600;

class ReplyTimeout extends Error {
  override readonly name = "ReplyTimeout";
}

/** The ai-reply job: retrieve, stream the answer as events, store it once. */
export async function processAiReply(deps: ReplyDeps, job: JobAttempt): Promise<ReplyOutcome> {
  // first_token_ms and total_ms count from the start of this attempt (queue wait excluded).
  const started = deps.clock().getTime();
  const data = parsePayload(aiReplyJob, job.data);
  const replyId = replyMessageId(data.messageId);
  const marker = streamedKey(deps.prefix, replyId);
  const publish = (channel: string, event: RealtimeEvent) =>
    publishEvent(deps.redis, channel, event, { prefix: deps.prefix, now: deps.clock() });
  const conversation = conversationChannel(data.conversationId);

  // The tenant's provider (settings, key decryption) and the partial-stream marker are read while the
  // context loads; a provider failure surfaces inside the generation below, where errors are classified.
  const providerReady = Promise.resolve().then(() => deps.providerFor(data.tenantId));
  providerReady.catch(() => {});
  // The question travels in the job (api ≥ this version): its embedding request overlaps the context read.
  const early = data.question;
  const earlyEmbedding =
    early === undefined ? null : providerReady.then((provider) => embedQuestion(provider, early));
  earlyEmbedding?.catch(() => {});
  const [context, streamedBefore] = await Promise.all([
    readInTenant(deps.db, data.tenantId, (tx) => loadReplyContext(tx, data)),
    deps.redis.get(marker),
  ]);
  if (!context) {
    deps.logger.warn({ messageId: data.messageId }, "ai-reply: message not found, nothing to answer");
    return "missing";
  }
  if (context.existingReply) {
    // Stored by an attempt that died before announcing it: announce it now.
    if (streamedBefore) await announce(deps, data, context, context.existingReply, publish);
    return "already-stored";
  }
  if (context.handoff === "agent") return "agent-handoff";

  if (streamedBefore) {
    // An earlier attempt streamed part of this reply and died: clients drop it before the new stream starts.
    await publish(conversation, {
      type: "message.discarded",
      conversationId: data.conversationId,
      messageId: replyId,
      reason: "retry",
    });
    await deps.redis.del(marker);
  }

  const stopKey = stopReplyKey(deps.prefix, data.conversationId);
  const controller = new AbortController();
  let stopped = false;
  const timer = setTimeout(() => controller.abort(new ReplyTimeout("reply timed out")), deps.timeoutMs);
  // Polled beside the stream, not per delta: no round trip on the token path, and a stop also
  // interrupts a model that is slow to send its next token.
  const stopWatch = watchStop(deps.redis, stopKey, job.timestamp, () => {
    stopped = true;
    controller.abort();
  });
  const stripper = createCueStripper();
  const voice = data.voice
    ? deps.voice?.({
        tenantId: data.tenantId,
        chatbotId: context.chatbotId,
        conversationId: data.conversationId,
        replyId,
        publish,
      })
    : undefined;
  let index = 0;
  let text = "";
  let firstTokenMs: number | null = null;
  let usage = { promptTokens: 0, completionTokens: 0 };
  let chunks: RetrievedChunk[] = [];

  const emit = async (part: CueStripResult) => {
    const events: RealtimeEvent[] = [];
    const first = part.text.length > 0 && firstTokenMs === null;
    if (first) {
      firstTokenMs = deps.clock().getTime() - started;
      events.push(cue("speaking.start"));
    }
    for (const name of part.cues) events.push(cue(name));
    if (part.text) {
      events.push({
        type: "message.delta",
        conversationId: data.conversationId,
        messageId: replyId,
        delta: part.text,
        index: index++,
      });
      text += part.text;
      voice?.push(part.text);
    }
    if (events.length === 0) return;
    // One connection keeps these in order; sending them together saves round trips before the first token.
    await Promise.all([
      first ? deps.redis.set(marker, "1", "EX", STREAMED_TTL_S) : null,
      ...events.map((event) => publish(conversation, event)),
    ]);
  };
  const cue = (name: AvatarCue): RealtimeEvent => ({
    type: "avatar.cue",
    conversationId: data.conversationId,
    messageId: replyId,
    cue: name,
  });

  try {
    const provider = await providerReady;
    chunks = await inSpan("retrieve", {}, async (span) => {
      const embedding =
        earlyEmbedding && early === context.question
          ? await earlyEmbedding
          : await embedQuestion(provider, context.question);
      const found = await retrieveChunks(deps.db, {
        tenantId: data.tenantId,
        chatbotId: context.chatbotId,
        question: context.question,
        embedding,
      });
      span?.setAttribute("retrieval.chunks", found.length);
      return found;
    });
    const messages = buildPrompt({
      persona: context.persona,
      greeting: context.greeting,
      history: context.history,
      question: context.question,
      chunks,
    });
    await inSpan("provider.stream", { kind: SpanKind.CLIENT }, async (span) => {
      const stream = provider.streamChat(messages, {
        signal: controller.signal,
        temperature: context.temperature,
        maxTokens: context.maxTokens,
        context: { chunks, greeting: context.greeting },
      });
      for await (const event of stream) {
        if (stopped) break;
        if (event.type === "finish") usage = event.usage;
        else await emit(stripper.push(event.text));
      }
      if (!stopped) await emit(stripper.flush());
      span?.setAttributes({
        "gen_ai.usage.input_tokens": usage.promptTokens,
        "gen_ai.usage.output_tokens": usage.completionTokens,
      });
    });
    // The last sentence's audio is published before speaking.stop and message.complete.
    if (!stopped) await voice?.finish();
  } catch (error) {
    voice?.cancel();
    if (!stopped) {
      stopWatch.cancel();
      clearTimeout(timer);
      return await failAttempt(
        deps,
        job,
        data,
        context,
        replyId,
        firstTokenMs !== null,
        publish,
        asError(controller, error),
      );
    }
  } finally {
    stopWatch.cancel();
    clearTimeout(timer);
    if (stopped) voice?.cancel();
  }
  if (firstTokenMs !== null) await publish(conversation, cue("speaking.stop"));

  const totalMs = deps.clock().getTime() - started;
  const citations = toCitations(citationsFrom(chunks, text));
  const { stored, inserted } = await withTenant(deps.db, data.tenantId, (tx) =>
    saveReply(tx, {
      id: replyId,
      tenantId: data.tenantId,
      chatbotId: context.chatbotId,
      conversationId: data.conversationId,
      replyTo: data.messageId,
      content: text,
      status: stopped ? "stopped" : "complete",
      citations,
      promptTokens: usage.promptTokens,
      completionTokens: stopped ? index : usage.completionTokens,
      firstTokenMs,
      totalMs,
      unansweredQuestion: isUnanswered({
        text,
        citations: citations.length,
        retrievedMatch: chunks.some((c) => c.textMatch),
      })
        ? context.question
        : null,
      at: deps.clock(),
    }),
  );
  if (!inserted) deps.logger.warn({ replyId }, "ai-reply: reply was already stored by another attempt");
  else if (deps.metrics) {
    if (firstTokenMs !== null) deps.metrics.firstToken.observe(firstTokenMs / 1000);
    deps.metrics.total.observe({ outcome: stopped ? "stopped" : "complete" }, totalMs / 1000);
    deps.metrics.tokens.inc({ direction: "in" }, usage.promptTokens);
    deps.metrics.tokens.inc({ direction: "out" }, stopped ? index : usage.completionTokens);
  }
  await inSpan("realtime.publish", { kind: SpanKind.PRODUCER }, () =>
    announce(deps, data, context, stored, publish),
  );
  return stopped ? "stopped" : "complete";
}

/** message.complete to the visitor, conversation.updated to the tenant's inbox, then the attempt marker goes. */
async function announce(
  deps: ReplyDeps,
  data: AiReplyJob,
  context: ReplyContext,
  stored: StoredReply,
  publish: (channel: string, event: RealtimeEvent) => Promise<unknown>,
): Promise<void> {
  await publish(conversationChannel(data.conversationId), {
    type: "message.complete",
    conversationId: data.conversationId,
    message: {
      id: stored.id,
      role: "assistant",
      content: stored.content,
      citations: stored.citations.map((c) => ({
        sourceId: c.sourceId,
        title: c.title,
        snippet: c.snippet,
        ...(c.url ? { url: c.url } : {}),
      })),
      createdAt: stored.createdAt.toISOString(),
    },
  });
  await publish(tenantChannel(data.tenantId), {
    type: "conversation.updated",
    conversationId: data.conversationId,
    chatbotId: context.chatbotId,
    lastMessagePreview: preview(stored.content),
    lastMessageAt: stored.createdAt.toISOString(),
    status: context.conversationStatus,
    handoff: context.handoff,
  });
  await deps.redis.del(streamedKey(deps.prefix, stored.id));
}

/**
 * A failed attempt: a partial stream is discarded now (so the next attempt starts clean); retryable
 * errors go back to BullMQ, the rest store a "the assistant is unavailable" reply and stop retrying.
 */
async function failAttempt(
  deps: ReplyDeps,
  job: JobAttempt,
  data: AiReplyJob,
  context: ReplyContext,
  replyId: string,
  streamed: boolean,
  publish: (channel: string, event: RealtimeEvent) => Promise<unknown>,
  error: Error,
): Promise<never> {
  const conversation = conversationChannel(data.conversationId);
  if (streamed) {
    await publish(conversation, {
      type: "message.discarded",
      conversationId: data.conversationId,
      messageId: replyId,
      reason: "error",
    });
    await deps.redis.del(streamedKey(deps.prefix, replyId));
  }
  // PostgreSQL or Redis away: no "unavailable" reply for that, even on the last attempt; the job is
  // retried, and redelivered by the sweep if its attempts run out before the dependency is back.
  if (isDependencyUnavailable(error)) throw error;
  if (isProviderError(error)) deps.metrics?.providerErrors.inc({ kind: error.kind });
  else if (error instanceof ReplyTimeout) deps.metrics?.providerErrors.inc({ kind: "timeout" });
  const retryable = error instanceof ReplyTimeout || !isProviderError(error) || error.retryable;
  if (retryable && !isFinalAttempt(job.attemptsMade, job.opts.attempts)) throw error;

  deps.logger.error({ replyId, err: error }, "ai-reply: giving up");
  const code = isProviderError(error) ? `provider_${error.kind}` : "reply_failed";
  await publish(conversation, { type: "error", code, message: UNAVAILABLE_REPLY });
  const { stored } = await withTenant(deps.db, data.tenantId, (tx) =>
    saveReply(tx, {
      id: replyId,
      tenantId: data.tenantId,
      chatbotId: context.chatbotId,
      conversationId: data.conversationId,
      replyTo: data.messageId,
      content: UNAVAILABLE_REPLY,
      status: "failed",
      citations: [],
      promptTokens: 0,
      completionTokens: 0,
      firstTokenMs: null,
      totalMs: null,
      unansweredQuestion: null,
      at: deps.clock(),
    }),
  );
  await announce(deps, data, context, stored, publish);
  throw new UnrecoverableError(error.message);
}

const STOP_POLL_MS = 100;

function watchStop(redis: Redis, key: string, enqueuedAt: number, onStop: () => void): { cancel(): void } {
  let cancelled = false;
  const timer = setInterval(() => {
    redis.get(key).then(
      async (value) => {
        if (cancelled || !isStopRequest(value, enqueuedAt)) return;
        cancelled = true;
        clearInterval(timer);
        await redis.del(key);
        onStop();
      },
      () => {}, // Redis trouble: the reply goes on; the next poll tries again.
    );
  }, STOP_POLL_MS);
  return {
    cancel() {
      cancelled = true;
      clearInterval(timer);
    },
  };
}

function asError(controller: AbortController, error: unknown): Error | ProviderError {
  if (controller.signal.reason instanceof ReplyTimeout) return controller.signal.reason;
  return error instanceof Error ? error : new Error(String(error));
}

function toCitations(list: ReturnType<typeof citationsFrom>): Citation[] {
  return list.map((c) => ({
    sourceId: c.sourceId,
    ...(c.chunkId ? { chunkId: c.chunkId } : {}),
    title: c.title,
    snippet: c.snippet,
    ...(c.url ? { url: c.url } : {}),
  }));
}
