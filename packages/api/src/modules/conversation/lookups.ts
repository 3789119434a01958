import { channelKeys, conversationChannel } from "@avatar-chat/protocol";
import { TRPCError } from "@trpc/server";
import type { AppDeps } from "../../deps";

// What both sides of the conversation router use.

/** Signals a duplicate send from inside the transaction, so the quota increment rolls back. */
export class DuplicateSend extends Error {}

export const conversationNotFound = () =>
  new TRPCError({ code: "NOT_FOUND", message: "No such conversation." });

/** The id of the conversation's last published event (what a client resumes from), if any. */
export async function lastEventId(deps: AppDeps, conversationId: string): Promise<number | null> {
  const value = await deps.redis.get(
    channelKeys(conversationChannel(conversationId), deps.config.redisPrefix).sequence,
  );
  return value === null ? null : Number(value);
}
