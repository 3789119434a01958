import { z } from "zod";

/** Frames a client sends. Small on purpose: everything else goes through the API. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("subscribe"),
    channel: z.string().max(100),
    /** Last event id the client saw on this channel; the server replays everything after it. */
    lastId: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal("unsubscribe"), channel: z.string().max(100) }),
  z.object({ type: z.literal("typing"), conversationId: z.string().max(64), on: z.boolean() }),
  z.object({ type: z.literal("ping") }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/**
 * Control frames the server sends besides envelopes (envelopes have a numeric `id`, control frames a `type`).
 * - `subscribed.lastId`: the id the live stream continues from (events after it follow, without gaps).
 *   Sent again with `lastId: 0` if Redis lost the channel (restart without persistence): ids start over.
 * - `gap`: events in (fromId, toId) were trimmed from the capped stream and cannot be replayed;
 *   the client should reload the conversation through the API.
 */
export type ServerControlMessage =
  | { type: "subscribed"; channel: string; lastId: number }
  | { type: "unsubscribed"; channel: string }
  | { type: "denied"; channel: string; reason: string }
  | { type: "gap"; channel: string; fromId: number; toId: number }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

/**
 * WebSocket close codes the server uses. 1001, 1008 and 1009 are standard; 4xxx are ours.
 * Clients reconnect (with backoff) and resume on every code; after `unauthorized` only with a fresh credential.
 */
export const closeCodes = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  /** Heartbeat missed; the server terminated the socket. Resume. */
  heartbeatTimeout: 4000,
  /** Credentials no longer valid (e.g. visitor token expired). Get a new token before reconnecting. */
  unauthorized: 4001,
  /** The tenant already holds its maximum of sockets on this node. Reconnect after a long backoff. */
  tenantQuota: 4003,
  /** This visitor, or this client address, already holds its maximum of sockets on this node. Long backoff. */
  connectionLimit: 4005,
  /** Slow consumer: the send buffer passed the limit. Reconnect and resume from the last id. */
  slowConsumer: 4008,
  /** Too many client messages per second. Reconnect after a backoff. */
  rateLimited: 4029,
} as const;
