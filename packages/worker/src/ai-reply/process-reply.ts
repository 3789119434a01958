import { buildPrompt, citationsFrom, createCueStripper, type Provider } from "@avatar-chat/ai";
import { type Citation, type Database, readInTenant, withTenant } from "@avatar-chat/db";
import { conversationChannel, publishEvent, type RealtimeEvent } from "@avatar-chat/protocol";
import { type AiReplyJob, aiReplyJob, stopReplyKey } from "@avatar-chat/protocol/jobs";
import { currentScope, inSpan, type Logger, type Metrics, SpanKind } from "@avatar-chat/telemetry";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { parsePayload } from "../payload";
import type { JobAttempt } from "../queues";
import type { StartReplyVoice } from "../voice/reply-voice";
import { loadReplyContext, type ReplyContext, saveReply } from "./queries";
import { announce, asError, failAttempt, type Publish, ReplyTimeout } from "./reply-end";
import { replyMessageId, streamedKey } from "./reply-id";
import { createReplyStream } from "./reply-stream";
import { embedQuestion, type RetrievedChunk, retrieveChunks } from "./retrieve";
import { isUnanswered } from "./rules";
import { watchStop } from "./stop-watch";

export { streamedKey } from "./reply-id";

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

/** The ai-reply job: retrieve, stream the answer as events, store it once. */
export async function processAiReply(deps: ReplyDeps, job: JobAttempt): Promise<ReplyOutcome> {
  // first_token_ms and total_ms count from the start of this attempt (queue wait excluded).
  const started = deps.clock().getTime();
  const data = parsePayload(aiReplyJob, job.data);
  const replyId = replyMessageId(data.messageId);
  const marker = streamedKey(deps.prefix, replyId);
  const requestId = currentScope()?.requestId; // the request that enqueued the job (runJob's scope)
  const publish = (channel: string, event: RealtimeEvent) =>
    publishEvent(deps.redis, channel, event, { prefix: deps.prefix, now: deps.clock(), requestId });

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
  const settled = await settleEarlierAttempt(deps, data, context, {
    replyId,
    marker,
    streamedBefore,
    publish,
  });
  if (settled) return settled;

  const stopKey = stopReplyKey(deps.prefix, data.conversationId);
  const controller = new AbortController();
  let stopped = false;
  const timer = setTimeout(() => controller.abort(new ReplyTimeout("reply timed out")), deps.timeoutMs);
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
  const answer = createReplyStream({
    redis: deps.redis,
    clock: deps.clock,
    started,
    conversationId: data.conversationId,
    replyId,
    marker,
    publish,
    voice,
  });
  let usage = { promptTokens: 0, completionTokens: 0 };
  let chunks: RetrievedChunk[] = [];

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
    await inSpan("provider.stream", { kind: SpanKind.CLIENT }, async (span) => {
      for await (const event of askModel(provider, context, chunks, controller.signal)) {
        if (stopped) break;
        if (event.type === "finish") usage = event.usage;
        else await answer.emit(stripper.push(event.text));
      }
      if (!stopped) await answer.emit(stripper.flush());
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
        answer.firstTokenMs !== null,
        publish,
        asError(controller, error),
      );
    }
  } finally {
    stopWatch.cancel();
    clearTimeout(timer);
    if (stopped) voice?.cancel();
  }
  await answer.end();

  const totalMs = deps.clock().getTime() - started;
  const citations = toCitations(citationsFrom(chunks, answer.text));
  const { stored, inserted } = await withTenant(deps.db, data.tenantId, (tx) =>
    saveReply(tx, {
      id: replyId,
      tenantId: data.tenantId,
      chatbotId: context.chatbotId,
      conversationId: data.conversationId,
      replyTo: data.messageId,
      content: answer.text,
      status: stopped ? "stopped" : "complete",
      citations,
      promptTokens: usage.promptTokens,
      completionTokens: stopped ? answer.deltas : usage.completionTokens,
      firstTokenMs: answer.firstTokenMs,
      totalMs,
      unansweredQuestion: unansweredQuestion(context, answer.text, citations, chunks),
      at: deps.clock(),
    }),
  );
  if (!inserted) deps.logger.warn({ replyId }, "ai-reply: reply was already stored by another attempt");
  else if (deps.metrics) {
    if (answer.firstTokenMs !== null) deps.metrics.firstToken.observe(answer.firstTokenMs / 1000);
    deps.metrics.total.observe({ outcome: stopped ? "stopped" : "complete" }, totalMs / 1000);
    deps.metrics.tokens.inc({ direction: "in" }, usage.promptTokens);
    deps.metrics.tokens.inc({ direction: "out" }, stopped ? answer.deltas : usage.completionTokens);
  }
  await inSpan("realtime.publish", { kind: SpanKind.PRODUCER }, () =>
    announce(deps, data, context, stored, publish),
  );
  return stopped ? "stopped" : "complete";
}

/**
 * What an earlier attempt left: a reply it stored but did not announce is announced now, a conversation
 * a person took over gets no reply, and a partial stream is discarded before the new one starts.
 */
async function settleEarlierAttempt(
  deps: ReplyDeps,
  data: AiReplyJob,
  context: ReplyContext,
  attempt: { replyId: string; marker: string; streamedBefore: string | null; publish: Publish },
): Promise<ReplyOutcome | null> {
  const { replyId, marker, streamedBefore, publish } = attempt;
  if (context.existingReply) {
    if (streamedBefore) await announce(deps, data, context, context.existingReply, publish);
    return "already-stored";
  }
  if (context.handoff === "agent") return "agent-handoff";
  if (streamedBefore) {
    await publish(conversationChannel(data.conversationId), {
      type: "message.discarded",
      conversationId: data.conversationId,
      messageId: replyId,
      reason: "retry",
    });
    await deps.redis.del(marker);
  }
  return null;
}

/** The prompt (persona, history, the retrieved chunks, the question) streamed from the tenant's model. */
function askModel(provider: Provider, context: ReplyContext, chunks: RetrievedChunk[], signal: AbortSignal) {
  const messages = buildPrompt({
    persona: context.persona,
    greeting: context.greeting,
    history: context.history,
    question: context.question,
    chunks,
  });
  return provider.streamChat(messages, {
    signal,
    temperature: context.temperature,
    maxTokens: context.maxTokens,
    context: { chunks, greeting: context.greeting },
  });
}

/** The question, kept for the tenant's "unanswered" list when the answer shows the knowledge lacked it. */
function unansweredQuestion(
  context: ReplyContext,
  text: string,
  citations: Citation[],
  chunks: RetrievedChunk[],
): string | null {
  const retrievedMatch = chunks.some((c) => c.textMatch);
  return isUnanswered({ text, citations: citations.length, retrievedMatch }) ? context.question : null;
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
