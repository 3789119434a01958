import { withTenant } from "@avatar-chat/db";
import { createVisitorToken, verifyVisitorToken } from "@avatar-chat/protocol";
import { TRPCError } from "@trpc/server";
import { limitOrThrow, publicProcedure, router } from "../../trpc";
import { latestOpenConversation, listMessagePage, messageView, TRANSCRIPT_PAGE_SIZE } from "../conversation";
import { PUBLIC_CONFIG_CACHE_CONTROL } from "./config-response";
import { widgetChatbot } from "./lookup";
import { findVisitor, insertVisitor, touchVisitor } from "./queries";
import { widgetAccessProblem, widgetConfigInput, widgetStartInput } from "./rules";

const unknownChatbot = () =>
  new TRPCError({ code: "NOT_FOUND", message: "This chatbot does not exist. Check the embed snippet." });

export const widgetRouter = router({
  /** The widget's first paint; when hot, answered before tRPC by `widgetConfigFromCache`. */
  config: publicProcedure.input(widgetConfigInput).query(async ({ ctx, input }) => {
    const chatbot = await widgetChatbot(ctx.deps, { publicKey: input.publicKey });
    const isDashboard =
      ctx.request.origin !== null && ctx.deps.config.dashboardOrigins.includes(ctx.request.origin);
    if (!chatbot || (!chatbot.published && !isDashboard)) throw unknownChatbot();
    if (chatbot.published) ctx.resHeaders.set("cache-control", PUBLIC_CONFIG_CACHE_CONTROL);
    return chatbot.config;
  }),

  /** A visitor token for this chatbot (new, or the same visitor again) and their open conversation. */
  start: publicProcedure.input(widgetStartInput).mutation(async ({ ctx, input }) => {
    const { deps } = ctx;
    await limitOrThrow(ctx, `widget-start:${ctx.request.ip ?? "unknown"}`, { limit: 120, windowMs: 60_000 });
    const chatbot = await widgetChatbot(deps, { publicKey: input.publicKey });
    if (!chatbot) throw unknownChatbot();
    const problem = widgetAccessProblem(chatbot, ctx.request.origin, deps.config.dashboardOrigins);
    if (problem) throw new TRPCError(problem);
    const now = deps.clock();
    const previous = input.visitorToken
      ? verifyVisitorToken(deps.config.appSecret, input.visitorToken, now)
      : null;
    const { visitorId, conversation } = await withTenant(deps.db, chatbot.tenantId, async (tx) => {
      const known =
        previous && previous.chatbotId === chatbot.id && previous.tenantId === chatbot.tenantId
          ? await findVisitor(tx, chatbot.tenantId, chatbot.id, previous.visitorId)
          : undefined;
      const visitorId = known
        ? known.id
        : (
            await insertVisitor(tx, chatbot.tenantId, chatbot.id, {
              userAgent: ctx.request.userAgent?.slice(0, 300) ?? null,
            })
          ).id;
      if (known) await touchVisitor(tx, chatbot.tenantId, visitorId, now);
      const open = known
        ? await latestOpenConversation(tx, chatbot.tenantId, chatbot.id, visitorId)
        : undefined;
      if (!open) return { visitorId, conversation: null };
      const page = await listMessagePage(tx, chatbot.tenantId, open.id, { limit: TRANSCRIPT_PAGE_SIZE });
      const conversation = {
        id: open.id,
        handoff: open.handoff,
        messages: page.messages.map(messageView),
        nextCursor: page.nextCursor,
      };
      return { visitorId, conversation };
    });
    const ttl = deps.config.visitorTokenTtlSeconds;
    const visitorToken = createVisitorToken(
      deps.config.appSecret,
      { visitorId, tenantId: chatbot.tenantId, chatbotId: chatbot.id },
      ttl,
      now,
    );
    return {
      visitorToken,
      visitorId,
      expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000).toISOString(),
      realtimeUrl: deps.config.realtimeUrl,
      chatbot: chatbot.config,
      conversation,
    };
  }),
});
