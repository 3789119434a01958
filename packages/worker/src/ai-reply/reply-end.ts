import { isProviderError, type ProviderError } from "@avatar-chat/ai";
import { isDependencyUnavailable } from "@avatar-chat/config";
import { withTenant } from "@avatar-chat/db";
import { conversationChannel, type RealtimeEvent, tenantChannel } from "@avatar-chat/protocol";
import type { AiReplyJob } from "@avatar-chat/protocol/jobs";
import { UnrecoverableError } from "bullmq";
import { isFinalAttempt, type JobAttempt } from "../queues";
import type { ReplyDeps } from "./process-reply";
import { type ReplyContext, type StoredReply, saveReply } from "./queries";
import { streamedKey } from "./reply-id";
import { preview, UNAVAILABLE_REPLY } from "./rules";

// How an attempt ends: the stored reply announced, or the failure passed back to BullMQ or stored.

export type Publish = (channel: string, event: RealtimeEvent) => Promise<unknown>;

export class ReplyTimeout extends Error {
  override readonly name = "ReplyTimeout";
}

/** message.complete to the visitor, conversation.updated to the tenant's inbox, then the attempt marker goes. */
export async function announce(
  deps: ReplyDeps,
  data: AiReplyJob,
  context: ReplyContext,
  stored: StoredReply,
  publish: Publish,
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
export async function failAttempt(
  deps: ReplyDeps,
  job: JobAttempt,
  data: AiReplyJob,
  context: ReplyContext,
  replyId: string,
  streamed: boolean,
  publish: Publish,
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

export function asError(controller: AbortController, error: unknown): Error | ProviderError {
  if (controller.signal.reason instanceof ReplyTimeout) return controller.signal.reason;
  return error instanceof Error ? error : new Error(String(error));
}
