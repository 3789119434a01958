import { type Tx, withTenant } from "@avatar-chat/db";
import { verifyVisitorToken } from "@avatar-chat/protocol";
import { TRPCError } from "@trpc/server";
import { API_KEY_PREFIX, validateApiKey } from "../../auth/api-keys";
import { type Context, limitOrThrow, noteCaller, publicProcedure } from "../../trpc";
import { widgetAccessProblem, widgetChatbot } from "../widget";

/** Who is chatting: a widget visitor (one chatbot, own conversations) or an integrator's key (channel `api`). */
export type Chatter =
  | { kind: "visitor"; tenantId: string; chatbotId: string; visitorId: string }
  | { kind: "apiKey"; tenantId: string; keyId: string };

/**
 * The visitor side of a conversation: a visitor token from `widget.start` (checked against the chatbot's
 * allowed origins on every call, so unpublishing or removing a site takes effect at once on this node),
 * or an API key with the `chat` scope.
 */
export const chatProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const chatter = await authenticateChatter(ctx);
  const tenantId = chatter.tenantId;
  noteCaller(tenantId, chatter.kind);
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(ctx.deps.db, tenantId, fn);
  return next({ ctx: { chatter, tenantId, inTenant } });
});

/**
 * The checks of `chatProcedure` (token or key, rate limits, the chatbot's allowed origins) for routes
 * outside tRPC (`POST /voice-input/…`); throws the same TRPCErrors.
 */
export async function authenticateChatter(ctx: Context): Promise<Chatter> {
  const bearer = ctx.request.authorization?.match(/^Bearer (\S+)$/)?.[1];
  const now = ctx.deps.clock();
  let chatter: Chatter;
  if (bearer?.startsWith(API_KEY_PREFIX)) {
    const key = await validateApiKey(ctx.deps.db, ctx.deps.credentials.apiKeys, bearer, now);
    if (!key)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "This API key is invalid, expired or revoked." });
    if (!key.scopes.includes("chat"))
      throw new TRPCError({ code: "FORBIDDEN", message: 'This API key lacks the "chat" scope.' });
    await limitOrThrow(ctx, `key:${key.id}`, { limit: 600, windowMs: 60_000 });
    chatter = { kind: "apiKey", tenantId: key.tenantId, keyId: key.id };
  } else {
    const visitor = bearer ? verifyVisitorToken(ctx.deps.config.appSecret, bearer, now) : null;
    if (!visitor)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Your chat session expired. Please reload." });
    await limitOrThrow(ctx, `visitor:${visitor.visitorId}`, { limit: 60, windowMs: 60_000 });
    if (ctx.request.ip) await limitOrThrow(ctx, `ip:${ctx.request.ip}`, { limit: 300, windowMs: 60_000 });
    const chatbot = await widgetChatbot(ctx.deps, { chatbotId: visitor.chatbotId });
    if (!chatbot || chatbot.tenantId !== visitor.tenantId)
      throw new TRPCError({ code: "UNAUTHORIZED", message: "This chatbot is no longer available." });
    const problem = widgetAccessProblem(chatbot, ctx.request.origin, ctx.deps.config.dashboardOrigins);
    if (problem) throw new TRPCError(problem);
    chatter = {
      kind: "visitor",
      tenantId: visitor.tenantId,
      chatbotId: visitor.chatbotId,
      visitorId: visitor.visitorId,
    };
  }
  return chatter;
}

/** May this chatter read and write this conversation? Others' conversations do not exist for it. */
export function ownsConversation(
  chatter: Chatter,
  conversation: { tenant_id: string; chatbot_id: string; visitor_id: string | null; channel: string },
): boolean {
  if (conversation.tenant_id !== chatter.tenantId) return false;
  if (chatter.kind === "apiKey") return conversation.channel === "api";
  return conversation.chatbot_id === chatter.chatbotId && conversation.visitor_id === chatter.visitorId;
}
