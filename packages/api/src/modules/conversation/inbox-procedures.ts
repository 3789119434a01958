import type { Conversation } from "@avatar-chat/db";
import { TRPCError } from "@trpc/server";
import { recordAudit } from "../../audit";
import type { AppDeps } from "../../deps";
import { type Actor, tenantProcedure } from "../../trpc";
import { findUser } from "../auth";
import { publishInboxRow, publishMessage, publishState } from "./events";
import { DuplicateSend, lastEventId, conversationNotFound as notFound } from "./lookups";
import {
  conversationChatbot,
  conversationView,
  findConversation,
  findMessageByClientId,
  insertAgentMessage,
  insertSystemMessage,
  listAllMessages,
  listInbox,
  listMessagePage,
  messageView,
  noteMessage,
  setConversationState,
} from "./queries";
import {
  agentJoinedNotice,
  agentReplyInput,
  conversationIdInput,
  exportInput,
  inboxInput,
  transcriptMarkdown,
  transcriptPageInput,
} from "./rules";

async function agentName(deps: AppDeps, actor: Actor): Promise<string> {
  if (actor.kind !== "user") return "Support";
  const user = await findUser(deps.db, actor.userId);
  return user?.name || "Support";
}

/** The tenant side: dashboard members, API keys with read/write. */
export const inboxProcedures = {
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
};

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
