import type { Conversation } from "@avatar-chat/db";
import { channelKeys, conversationChannel } from "@avatar-chat/protocol";
import { stopReplyKey } from "@avatar-chat/protocol/jobs";
import { enqueueEmail, enqueueReply } from "@avatar-chat/worker/producer";
import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import type { AppDeps } from "../../deps";
import { type Actor, limitOrThrow, router, tenantProcedure } from "../../trpc";
import { findUser } from "../auth";
import { findChatbotId } from "../chatbot";
import { insertEmail } from "../tenant";
import { type Chatter, chatProcedure, ownsConversation } from "./chat-procedure";
import { publishInboxRow, publishMessage, publishState } from "./events";
import {
  conversationChatbot,
  conversationView,
  countMonthlyMessage,
  findConversation,
  findMessage,
  findMessageByClientId,
  humanRequestAddresses,
  insertAgentMessage,
  insertConversation,
  insertSystemMessage,
  insertUserMessage,
  listAllMessages,
  listInbox,
  listMessagePage,
  markHumanRequested,
  messageView,
  monthlyMessageLimit,
  noteMessage,
  recordUsage,
  setConversationState,
  setFeedback,
} from "./queries";
import {
  agentJoinedNotice,
  agentReplyInput,
  conversationIdInput,
  exportInput,
  feedbackInput,
  humanRequestEmail,
  humanRequestedNotice,
  humanRequestOutcome,
  inboxInput,
  quotaExceededMessage,
  quotaMonth,
  ratingValue,
  sendMessageInput,
  startConversationInput,
  titleFrom,
  transcriptMarkdown,
  transcriptPageInput,
} from "./rules";

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such conversation." });

/** How long a stop request waits for the worker to notice it. */
const STOP_TTL_MS = 60_000;

/** Signals a duplicate send from inside the transaction, so the quota increment rolls back. */
class DuplicateSend extends Error {}

async function lastEventId(deps: AppDeps, conversationId: string): Promise<number | null> {
  const value = await deps.redis.get(
    channelKeys(conversationChannel(conversationId), deps.config.redisPrefix).sequence,
  );
  return value === null ? null : Number(value);
}

async function agentName(deps: AppDeps, actor: Actor): Promise<string> {
  if (actor.kind !== "user") return "Support";
  const user = await findUser(deps.db, actor.userId);
  return user?.name || "Support";
}

export const conversationRouter = router({
  // Visitor side (widget visitor token, or an API key with the "chat" scope).

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
        });
        if (!message) throw new DuplicateSend();
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

  // Tenant side (dashboard members, API keys with read/write).

  inbox: tenantProcedure
    .meta({ scope: "read" })
    .input(inboxInput)
    .query(({ ctx, input }) => ctx.readLagging((db) => listInbox(db, ctx.tenantId, input))),

  /** The conversation and one transcript page (newest first page, older ones with `cursor: nextCursor`). */
  get: tenantProcedure
    .meta({ scope: "read" })
    .input(transcriptPageInput)
    .query(async ({ ctx, input }) => {
      const eventId = await lastEventId(ctx.deps, input.conversationId);
      return ctx.inTenant(async (tx) => {
        const conversation = await findConversation(tx, ctx.tenantId, input.conversationId);
        if (!conversation) throw notFound();
        const page = await listMessagePage(tx, ctx.tenantId, conversation.id, input);
        return {
          conversation: conversationView(conversation),
          messages: page.messages.map((m) => ({
            ...messageView(m),
            authorUserId: m.author_user_id,
            status: m.status,
          })),
          nextCursor: page.nextCursor,
          lastEventId: eventId,
        };
      });
    }),

  export: tenantProcedure
    .meta({ scope: "read" })
    .input(exportInput)
    .query(async ({ ctx, input }) => {
      const { conversation, chatbotName, messages } = await ctx.inTenant(async (tx) => {
        const conversation = await findConversation(tx, ctx.tenantId, input.conversationId);
        if (!conversation) throw notFound();
        const chatbot = await conversationChatbot(tx, ctx.tenantId, conversation.chatbot_id);
        const messages = await listAllMessages(tx, ctx.tenantId, conversation.id);
        // A transcript leaving the platform (personal data of a visitor) is on the record.
        await recordAudit(tx, {
          tenantId: ctx.tenantId,
          actor: ctx.actor,
          action: "conversation.exported",
          targetType: "conversation",
          targetId: conversation.id,
          ip: ctx.request.ip,
          detail: { format: input.format, messages: messages.length },
        });
        return { conversation, chatbotName: chatbot.name, messages: messages.map(messageView) };
      });
      const view = conversationView(conversation);
      const base = `conversation-${conversation.id}`;
      if (input.format === "json") {
        return {
          filename: `${base}.json`,
          contentType: "application/json",
          body: JSON.stringify({ conversation: { ...view, chatbotName }, messages }, null, 2),
        };
      }
      return {
        filename: `${base}.md`,
        contentType: "text/markdown",
        body: transcriptMarkdown(
          { id: view.id, title: view.title, chatbotName, createdAt: view.createdAt, handoff: view.handoff },
          messages,
        ),
      };
    }),

  takeOver: tenantProcedure
    .meta({ scope: "write" })
    .input(conversationIdInput)
    .mutation(async ({ ctx, input }) => {
      const name = await agentName(ctx.deps, ctx.actor);
      const conversation = await changeState(
        ctx,
        input.conversationId,
        { handoff: "agent", assigned_user_id: ctx.actor.kind === "user" ? ctx.actor.userId : null },
        name,
      );
      await publishState(ctx.deps, conversation, name);
      return conversationView(conversation);
    }),

  reply: tenantProcedure
    .meta({ scope: "write" })
    .input(agentReplyInput)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.deps.clock();
      const name = await agentName(ctx.deps, ctx.actor);
      const clientMessageId = input.clientMessageId ?? null;
      const sent = await ctx
        .inTenant(async (tx) => {
          const current = await findConversation(tx, ctx.tenantId, input.conversationId);
          if (!current) throw notFound();
          // A re-sent reply (a retry after the first attempt's answer was lost) answers with the stored one.
          const earlier = clientMessageId
            ? await findMessageByClientId(tx, ctx.tenantId, current.id, clientMessageId)
            : undefined;
          if (earlier) return { conversation: current, message: earlier, joined: null };
          if (current.status === "closed")
            throw new TRPCError({ code: "CONFLICT", message: "Reopen the conversation before replying." });
          // An agent's reply takes the conversation over, so the bot does not answer beside them; the
          // transcript says who joined before their first words.
          const joined =
            current.handoff === "agent"
              ? null
              : await takeOverIn(tx, ctx.tenantId, current, ctx.actor, name, now);
          const message = await insertAgentMessage(tx, {
            tenantId: ctx.tenantId,
            conversationId: current.id,
            content: input.content,
            authorUserId: ctx.actor.kind === "user" ? ctx.actor.userId : null,
            clientMessageId,
          });
          // A concurrent retry of the same reply won the insert: this transaction rolls back.
          if (!message) throw new DuplicateSend();
          const conversation = await noteMessage(tx, ctx.tenantId, current.id, now, null);
          return { conversation, message, joined };
        })
        .catch(async (error: unknown) => {
          if (!(error instanceof DuplicateSend) || !clientMessageId) throw error;
          return ctx.inTenant(async (tx) => {
            const conversation = await findConversation(tx, ctx.tenantId, input.conversationId);
            const message = await findMessageByClientId(
              tx,
              ctx.tenantId,
              input.conversationId,
              clientMessageId,
            );
            if (!conversation || !message) throw notFound();
            return { conversation, message, joined: null };
          });
        });
      const { conversation, message, joined } = sent;
      if (joined) {
        await publishState(ctx.deps, conversation, name);
        await publishMessage(ctx.deps, conversation, joined);
      }
      // Published again on a retry too: the first attempt may have stored it and then lost Redis; clients
      // key messages by id, so a second copy of the event changes nothing.
      await publishMessage(ctx.deps, conversation, message);
      await publishInboxRow(ctx.deps, conversation, message.content);
      return { messageId: message.id, conversationId: conversation.id };
    }),

  handBack: tenantProcedure
    .meta({ scope: "write" })
    .input(conversationIdInput)
    .mutation(async ({ ctx, input }) => {
      const conversation = await changeState(ctx, input.conversationId, {
        handoff: "bot",
        assigned_user_id: null,
      });
      await publishState(ctx.deps, conversation);
      return conversationView(conversation);
    }),

  close: tenantProcedure
    .meta({ scope: "write" })
    .input(conversationIdInput)
    .mutation(async ({ ctx, input }) => {
      const conversation = await changeState(ctx, input.conversationId, { status: "closed" });
      await publishState(ctx.deps, conversation);
      return conversationView(conversation);
    }),

  reopen: tenantProcedure
    .meta({ scope: "write" })
    .input(conversationIdInput)
    .mutation(async ({ ctx, input }) => {
      const conversation = await changeState(ctx, input.conversationId, { status: "open" });
      await publishState(ctx.deps, conversation);
      return conversationView(conversation);
    }),
});

async function findOwnConversation(
  tx: Parameters<typeof findConversation>[0],
  chatter: Chatter,
  conversationId: string,
): Promise<Conversation> {
  const conversation = await findConversation(tx, chatter.tenantId, conversationId);
  if (!conversation || !ownsConversation(chatter, conversation)) throw notFound();
  return conversation;
}

async function changeState(
  ctx: {
    tenantId: string;
    actor: Actor;
    inTenant: <T>(fn: (tx: Parameters<typeof findConversation>[0]) => Promise<T>) => Promise<T>;
    deps: AppDeps;
    request: { ip: string | null };
  },
  conversationId: string,
  state: Parameters<typeof setConversationState>[3],
  /** Taking over: the agent's name for the transcript's join notice. */
  joiningAgent?: string,
): Promise<Conversation> {
  const changed = await ctx.inTenant(async (tx) => {
    const before = joiningAgent ? await findConversation(tx, ctx.tenantId, conversationId) : undefined;
    const joined =
      joiningAgent && before && before.handoff !== "agent"
        ? await takeOverIn(tx, ctx.tenantId, before, ctx.actor, joiningAgent, ctx.deps.clock())
        : null;
    const conversation = joined
      ? await findConversation(tx, ctx.tenantId, conversationId)
      : await setConversationState(tx, ctx.tenantId, conversationId, state);
    if (!conversation) return null;
    await recordAudit(tx, {
      tenantId: ctx.tenantId,
      actor: ctx.actor,
      action: `conversation.${state.status ?? (state.handoff === "agent" ? "take_over" : "hand_back")}`,
      targetType: "conversation",
      targetId: conversationId,
      ip: ctx.request.ip,
    });
    const { messages } = await listMessagePage(tx, ctx.tenantId, conversationId, { limit: 1 });
    return { conversation, joined, preview: messages[0]?.content ?? "" };
  });
  if (!changed) throw notFound();
  const { conversation } = changed;
  if (changed.joined) await publishMessage(ctx.deps, conversation, changed.joined);
  // The inbox row shows status and handoff, so it is updated on the tenant channel too.
  await publishInboxRow(ctx.deps, conversation, changed.preview);
  return conversation;
}

/** Hands the conversation to a person and writes "<name> has joined the chat." into the transcript. */
async function takeOverIn(
  tx: Parameters<typeof findConversation>[0],
  tenantId: string,
  conversation: Conversation,
  actor: Actor,
  name: string,
  now: Date,
) {
  await setConversationState(tx, tenantId, conversation.id, {
    handoff: "agent",
    assigned_user_id: actor.kind === "user" ? actor.userId : null,
  });
  const chatbot = await conversationChatbot(tx, tenantId, conversation.chatbot_id);
  const notice = await insertSystemMessage(tx, {
    tenantId,
    conversationId: conversation.id,
    content: agentJoinedNotice(chatbot.locale, name),
  });
  await noteMessage(tx, tenantId, conversation.id, now, null);
  return notice;
}
