import type { Conversation } from "@avatar-chat/db";
import { stopReplyKey } from "@avatar-chat/protocol/jobs";
import { enqueueEmail, enqueueReply } from "@avatar-chat/worker/producer";
import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import type { Storage } from "../../storage";
import { limitOrThrow } from "../../trpc";
import { findChatbotId } from "../chatbot";
import { insertEmail } from "../tenant";
import { type Chatter, chatProcedure, ownsConversation } from "./chat-procedure";
import { publishInboxRow, publishMessage, publishState } from "./events";
import { DuplicateSend, lastEventId, conversationNotFound as notFound } from "./lookups";
import {
  conversationChatbot,
  countMonthlyMessage,
  findConversation,
  findMessage,
  findMessageByClientId,
  humanRequestAddresses,
  insertConversation,
  insertSystemMessage,
  insertUserMessage,
  linkVoiceInput,
  listMessagePage,
  markHumanRequested,
  messageView,
  monthlyMessageLimit,
  noteMessage,
  recordUsage,
  setFeedback,
} from "./queries";
import { voiceInputKey } from "./recording";
import {
  conversationIdInput,
  feedbackInput,
  humanRequestEmail,
  humanRequestedNotice,
  humanRequestOutcome,
  quotaExceededMessage,
  quotaMonth,
  ratingValue,
  sendMessageInput,
  startConversationInput,
  titleFrom,
  transcriptPageInput,
} from "./rules";

/** How long a stop request waits for the worker to notice it. */
const STOP_TTL_MS = 60_000;

/** The visitor side: a widget visitor token, or an API key with the "chat" scope. */
export const visitorProcedures = {
  start: chatProcedure.input(startConversationInput).mutation(async ({ ctx, input }) => {
    const { chatter } = ctx;
    const chatbotId = chatter.kind === "visitor" ? chatter.chatbotId : input.chatbotId;
    if (!chatbotId)
      throw new TRPCError({ code: "BAD_REQUEST", message: "Say which chatbot to talk to (chatbotId)." });
    const now = ctx.deps.clock();
    const conversation = await ctx.inTenant(async (tx) => {
      if (!(await findChatbotId(tx, chatter.tenantId, chatbotId)))
        throw new TRPCError({ code: "NOT_FOUND", message: "No such chatbot." });
      const created = await insertConversation(tx, {
        tenantId: chatter.tenantId,
        chatbotId,
        visitorId: chatter.kind === "visitor" ? chatter.visitorId : null,
        channel: chatter.kind === "visitor" ? "widget" : "api",
      });
      await recordUsage(tx, {
        tenantId: chatter.tenantId,
        chatbotId,
        conversationId: created.id,
        kind: "conversation",
        at: now,
      });
      return created;
    });
    return { conversationId: conversation.id };
  }),

  send: chatProcedure.input(sendMessageInput).mutation(async ({ ctx, input }) => {
    const { chatter, deps } = ctx;
    const who = chatter.kind === "visitor" ? chatter.visitorId : chatter.keyId;
    await limitOrThrow(ctx, `send:${who}`, {
      limit: chatter.kind === "visitor" ? 20 : 300,
      windowMs: 60_000,
    });
    const now = deps.clock();
    const month = quotaMonth(now);
    const voiceInput = input.voiceInputId
      ? await keptRecording(deps, chatter.tenantId, input.conversationId, input.voiceInputId)
      : null;
    let stored: {
      conversation: Conversation;
      message: Awaited<ReturnType<typeof findMessage>>;
      created: boolean;
    };
    try {
      stored = await ctx.inTenant(async (tx) => {
        const conversation = await findOwnConversation(tx, chatter, input.conversationId);
        const existing = await findMessageByClientId(
          tx,
          chatter.tenantId,
          conversation.id,
          input.clientMessageId,
        );
        if (existing) return { conversation, message: existing, created: false };
        if (conversation.status === "closed")
          throw new TRPCError({
            code: "CONFLICT",
            message: "This conversation was closed. Start a new one.",
          });
        const limit = await monthlyMessageLimit(tx, chatter.tenantId);
        if ((await countMonthlyMessage(tx, chatter.tenantId, month)) > limit)
          throw new TRPCError({ code: "FORBIDDEN", message: quotaExceededMessage(limit) });
        const message = await insertUserMessage(tx, {
          tenantId: chatter.tenantId,
          conversationId: conversation.id,
          content: input.content,
          clientMessageId: input.clientMessageId,
          voiceInputKey: voiceInput,
        });
        if (!message) throw new DuplicateSend();
        if (input.voiceInputId) await linkVoiceInput(tx, chatter.tenantId, input.voiceInputId, message.id);
        const updated = await noteMessage(
          tx,
          chatter.tenantId,
          conversation.id,
          now,
          titleFrom(input.content),
        );
        await recordUsage(tx, {
          tenantId: chatter.tenantId,
          chatbotId: conversation.chatbot_id,
          conversationId: conversation.id,
          messageId: message.id,
          kind: "user_message",
          at: now,
        });
        return { conversation: updated, message, created: true };
      });
    } catch (error) {
      if (!(error instanceof DuplicateSend)) throw error;
      // A concurrent retry of the same send won the insert: answer with its message.
      stored = await ctx.inTenant(async (tx) => {
        const conversation = await findOwnConversation(tx, chatter, input.conversationId);
        const message = await findMessageByClientId(
          tx,
          chatter.tenantId,
          conversation.id,
          input.clientMessageId,
        );
        return { conversation, message, created: false };
      });
    }
    const { conversation, message, created } = stored;
    if (!message) throw notFound();
    if (created) {
      await publishInboxRow(deps, conversation, message.content);
      await publishMessage(deps, conversation, message);
    }
    // Enqueued again on a retried send too: the job id makes it a no-op when the first enqueue worked.
    if (conversation.handoff !== "agent") {
      await enqueueReply(deps.queues.aiReply, {
        tenantId: chatter.tenantId,
        conversationId: conversation.id,
        messageId: message.id,
        question: message.content,
        ...(input.voice ? { voice: true } : {}),
      });
    }
    return { messageId: message.id, conversationId: conversation.id };
  }),

  /** The newest messages, then older pages with `cursor: nextCursor`; each page oldest first. */
  history: chatProcedure.input(transcriptPageInput).query(async ({ ctx, input }) => {
    // The id is read before the messages: an event in between is replayed, never lost.
    const eventId = await lastEventId(ctx.deps, input.conversationId);
    const { conversation, page } = await ctx.inTenant(async (tx) => {
      const conversation = await findOwnConversation(tx, ctx.chatter, input.conversationId);
      return { conversation, page: await listMessagePage(tx, ctx.chatter.tenantId, conversation.id, input) };
    });
    return {
      messages: page.messages.map(messageView),
      nextCursor: page.nextCursor,
      lastEventId: eventId,
      handoff: conversation.handoff,
    };
  }),

  /**
   * The visitor asks for a person: handoff `requested` (the inbox's "wants a person"), a notice in the
   * transcript, and the bot keeps answering until an agent takes over. Asking again changes nothing.
   */
  requestHuman: chatProcedure.input(conversationIdInput).mutation(async ({ ctx, input }) => {
    const { chatter, deps } = ctx;
    const who = chatter.kind === "visitor" ? chatter.visitorId : chatter.keyId;
    // Every request alerts the team, so far fewer than messages.
    await limitOrThrow(ctx, `human:${who}`, { limit: 5, windowMs: 60_000 });
    const now = deps.clock();
    // Users sit above tenants, so their addresses are read with the owning role, before the tenant's
    // transaction takes a connection (see SecondConnectionError).
    const addresses = await humanRequestAddresses(deps.db, chatter.tenantId);
    const { conversation, notice, outboxIds } = await ctx.inTenant(async (tx) => {
      const current = await findOwnConversation(tx, chatter, input.conversationId);
      const outcome = humanRequestOutcome(current);
      if (outcome === "closed")
        throw new TRPCError({ code: "CONFLICT", message: "This conversation was closed. Start a new one." });
      const requested =
        outcome === "request" ? await markHumanRequested(tx, chatter.tenantId, current.id) : undefined;
      if (!requested) {
        const latest = (await findConversation(tx, chatter.tenantId, current.id)) ?? current;
        return { conversation: latest, notice: null, outboxIds: [] };
      }
      const chatbot = await conversationChatbot(tx, chatter.tenantId, current.chatbot_id);
      const notice = await insertSystemMessage(tx, {
        tenantId: chatter.tenantId,
        conversationId: current.id,
        content: humanRequestedNotice(chatbot.locale),
      });
      const conversation = await noteMessage(tx, chatter.tenantId, current.id, now, null);
      // The team may not be watching the inbox: owners and admins (unless they opted out) and members who
      // opted in get an email, once per request.
      const mail = humanRequestEmail({
        chatbotName: chatbot.name,
        link: `${deps.config.publicUrl}/inbox/${current.id}`,
        settingsLink: `${deps.config.publicUrl}/settings/notifications`,
      });
      const outboxIds: string[] = [];
      for (const to of addresses) {
        const outbox = await insertEmail(tx, {
          tenantId: chatter.tenantId,
          kind: "human_requested",
          to,
          ...mail,
        });
        outboxIds.push(outbox.id);
      }
      await recordAudit(tx, {
        tenantId: chatter.tenantId,
        actor: chatter.kind === "apiKey" ? { kind: "apiKey", keyId: chatter.keyId, scopes: ["chat"] } : null,
        action: "conversation.human_requested",
        targetType: "conversation",
        targetId: current.id,
        ip: ctx.request.ip,
        detail: chatter.kind === "visitor" ? { visitorId: chatter.visitorId } : {},
      });
      return { conversation, notice, outboxIds };
    });
    if (notice) {
      // After commit: the worker must find the outbox rows. A failed enqueue leaves a row pending.
      for (const outboxId of outboxIds) await enqueueEmail(deps.queues.email, { outboxId });
      await publishState(deps, conversation);
      await publishMessage(deps, conversation, notice);
      await publishInboxRow(deps, conversation, notice.content);
    }
    return { conversationId: conversation.id, handoff: conversation.handoff };
  }),

  feedback: chatProcedure.input(feedbackInput).mutation(async ({ ctx, input }) => {
    const { chatter } = ctx;
    await ctx.inTenant(async (tx) => {
      const message = await findMessage(tx, chatter.tenantId, input.messageId);
      if (!message) throw new TRPCError({ code: "NOT_FOUND", message: "No such message." });
      const conversation = await findOwnConversation(tx, chatter, message.conversation_id).catch(() => {
        throw new TRPCError({ code: "NOT_FOUND", message: "No such message." });
      });
      if (message.role !== "assistant" && message.role !== "agent")
        throw new TRPCError({ code: "BAD_REQUEST", message: "Only answers can be rated." });
      const value = ratingValue(input.rating);
      await setFeedback(tx, chatter.tenantId, message.id, value, input.comment ?? null);
      // Re-sending the same rating records nothing; each change of rating is one usage event.
      if (message.feedback !== value) {
        await recordUsage(tx, {
          tenantId: chatter.tenantId,
          chatbotId: conversation.chatbot_id,
          conversationId: conversation.id,
          messageId: message.id,
          kind: "feedback",
          value,
          detail: { rating: input.rating, ...(input.comment ? { comment: input.comment } : {}) },
          at: ctx.deps.clock(),
        });
      }
    });
    return { ok: true };
  }),

  stop: chatProcedure.input(conversationIdInput).mutation(async ({ ctx, input }) => {
    await ctx.inTenant((tx) => findOwnConversation(tx, ctx.chatter, input.conversationId));
    // The worker compares this time with its job's enqueue time, so a stop never cancels a later reply.
    await ctx.deps.redis.set(
      stopReplyKey(ctx.deps.config.redisPrefix, input.conversationId),
      String(ctx.deps.clock().getTime()),
      "PX",
      STOP_TTL_MS,
    );
    return { ok: true };
  }),
};

/**
 * The key of a recording `POST /voice-input` kept for this conversation (the key is built from the caller's
 * own tenant and conversation, so no other one can be named), checked to exist before a message links it.
 */
async function keptRecording(
  deps: { storage: Storage },
  tenantId: string,
  conversationId: string,
  voiceInputId: string,
): Promise<string> {
  const key = voiceInputKey(tenantId, conversationId, voiceInputId);
  if (!(await deps.storage.head(key)))
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: "This recording was not kept; send the text alone.",
    });
  return key;
}

async function findOwnConversation(
  tx: Parameters<typeof findConversation>[0],
  chatter: Chatter,
  conversationId: string,
): Promise<Conversation> {
  const conversation = await findConversation(tx, chatter.tenantId, conversationId);
  if (!conversation || !ownsConversation(chatter, conversation)) throw notFound();
  return conversation;
}
