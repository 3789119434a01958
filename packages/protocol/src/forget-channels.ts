import { channelKeys, conversationChannel } from "./channels";

/** The one Redis call forgetting needs; an ioredis client fits (protocol does not import ioredis). */
export interface RedisDel {
  del(...keys: string[]): Promise<number>;
}

const DEL_BATCH = 500;

/** Forgets what Redis still holds of deleted conversations, after their deletion committed. */
export type ForgetConversations = (conversationIds: string[]) => Promise<void>;

/**
 * Deletes the realtime channels' capped streams (recent events, message text included) and sequence
 * counters: they carry no expiry, so they would outlive the conversation. Used by every path that deletes
 * conversations (retention's housekeeping, chatbot.delete).
 */
export function forgetConversationChannels(redis: RedisDel, prefix: string): ForgetConversations {
  return async (conversationIds) => {
    // A chatbot may have many conversations: a few hundred per DEL keeps each command short.
    for (let start = 0; start < conversationIds.length; start += DEL_BATCH) {
      await redis.del(
        ...conversationIds.slice(start, start + DEL_BATCH).flatMap((id) => {
          const keys = channelKeys(conversationChannel(id), prefix);
          return [keys.stream, keys.sequence];
        }),
      );
    }
  };
}
