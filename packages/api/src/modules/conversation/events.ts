import type { Conversation, Message } from "@avatar-chat/db";
import { conversationChannel, publishEvent, tenantChannel } from "@avatar-chat/protocol";
import { currentScope } from "@avatar-chat/telemetry";
import type { AppDeps } from "../../deps";
import { messageView } from "./queries";

// What the api tells realtime clients and the worker after a conversation changed (always after commit),
// stored with the id of the request that changed it.

export function publishMessage(deps: AppDeps, conversation: Conversation, message: Message) {
  const { feedback: _feedback, ...view } = messageView(message);
  return publishEvent(
    deps.redis,
    conversationChannel(conversation.id),
    { type: "message.complete", conversationId: conversation.id, message: view },
    { prefix: deps.config.redisPrefix, now: deps.clock(), requestId: currentScope()?.requestId },
  );
}

/** The inbox row update on the tenant channel. */
export function publishInboxRow(deps: AppDeps, conversation: Conversation, preview: string) {
  return publishEvent(
    deps.redis,
    tenantChannel(conversation.tenant_id),
    {
      type: "conversation.updated",
      conversationId: conversation.id,
      chatbotId: conversation.chatbot_id,
      lastMessagePreview: preview.slice(0, 140),
      lastMessageAt: conversation.last_message_at.toISOString(),
      status: conversation.status,
      handoff: conversation.handoff,
    },
    { prefix: deps.config.redisPrefix, now: deps.clock(), requestId: currentScope()?.requestId },
  );
}

/** Status and handoff on the conversation channel (the widget shows "an agent joined"). */
export function publishState(deps: AppDeps, conversation: Conversation, agentName?: string) {
  return publishEvent(
    deps.redis,
    conversationChannel(conversation.id),
    {
      type: "conversation.state",
      conversationId: conversation.id,
      status: conversation.status,
      handoff: conversation.handoff,
      ...(agentName ? { agentName } : {}),
    },
    { prefix: deps.config.redisPrefix, now: deps.clock(), requestId: currentScope()?.requestId },
  );
}
