import {
  type ClientMessage,
  clientMessageSchema,
  closeCodes,
  conversationChannel,
  parseChannel,
  publishEvent,
} from "@avatar-chat/protocol";
import type { Logger } from "@avatar-chat/telemetry";
import type { Redis } from "ioredis";
import type { RawData } from "ws";
import type { Principal } from "./access";
import { type Connection, enqueue, findSubscription } from "./connection";
import type { Delivery } from "./delivery";
import type { Fanout } from "./fanout";
import type { RealtimeLimits } from "./limits";
import { viewerPresence } from "./presence";
import type { PresenceUpdates } from "./presence-updates";
import type { ServerStats } from "./server-stats";

export interface ClientMessagesDeps {
  authorize(principal: Principal, channel: string): Promise<boolean>;
  limits: RealtimeLimits;
  /** Command connection: typing events are published on it. */
  redis: Redis;
  prefix: string;
  fanout: Fanout<Connection>;
  delivery: Delivery;
  presence: PresenceUpdates;
  stats: ServerStats;
  logger: Logger;
  connectionId(conn: Connection): string;
}

/** The client side of the wire protocol: rate limit, parse, then subscribe / unsubscribe / typing / ping in order. */
export function createClientMessages(deps: ClientMessagesDeps) {
  const { limits, fanout, presence, stats, logger, connectionId } = deps;
  const { sendControl, closeConnection } = deps.delivery;

  async function subscribe(conn: Connection, channel: string, lastId: number | undefined): Promise<void> {
    if (!parseChannel(channel) || !(await deps.authorize(conn.principal, channel))) {
      sendControl(conn, { type: "denied", channel, reason: "forbidden" });
      return;
    }
    if (conn.closing) return;
    const existing = findSubscription(conn, channel);
    if (existing) fanout.leave(existing);
    else if (conn.subscriptions.length >= limits.maxSubscriptions) {
      sendControl(conn, { type: "denied", channel, reason: "too many subscriptions" });
      return;
    }
    const joined = await fanout.join(channel, lastId, conn);
    const { subscription, startId } = joined;
    if (conn.closing) {
      fanout.leave(subscription);
      return;
    }
    // A resubscribe replaces its entry in place, so the channel stays listed for presence cleanup meanwhile.
    // concat/with/toSpliced allocate exactly the length needed; spread and filter leave spare capacity.
    conn.subscriptions = existing
      ? conn.subscriptions.with(conn.subscriptions.indexOf(existing), subscription)
      : conn.subscriptions.concat(subscription);
    sendControl(conn, { type: "subscribed", channel, lastId: startId });
    fanout.start(joined);
    const viewing = existing ? null : viewerPresence(conn.principal, channel, connectionId(conn));
    // A socket already gone is not added: its close handler removes what it held.
    if (viewing && !conn.closing) await presence.add(viewing);
  }

  async function unsubscribe(conn: Connection, channel: string): Promise<void> {
    const sub = findSubscription(conn, channel);
    if (sub) {
      fanout.leave(sub);
      conn.subscriptions = conn.subscriptions.toSpliced(conn.subscriptions.indexOf(sub), 1);
    }
    sendControl(conn, { type: "unsubscribed", channel });
    const viewing = sub && viewerPresence(conn.principal, channel, connectionId(conn));
    if (viewing) await presence.drop(viewing);
  }

  async function handleMessage(conn: Connection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case "subscribe":
        return subscribe(conn, message.channel, message.lastId);
      case "unsubscribe":
        return unsubscribe(conn, message.channel);
      case "ping":
        return sendControl(conn, { type: "pong" });
      case "typing": {
        const channel = conversationChannel(message.conversationId);
        if (!findSubscription(conn, channel)) return; // joining was authorized; typing elsewhere is not
        const who = conn.principal.kind === "visitor" ? "visitor" : "agent";
        await publishEvent(
          deps.redis,
          channel,
          { type: "typing", conversationId: message.conversationId, who, on: message.on },
          { prefix: deps.prefix, maxLen: limits.streamMaxLen },
        );
      }
    }
  }

  function takeToken(conn: Connection): boolean {
    const now = Date.now();
    conn.tokens = Math.min(
      limits.messagesPerSecond,
      conn.tokens + ((now - conn.refilledAt) / 1000) * limits.messagesPerSecond,
    );
    conn.refilledAt = now;
    if (conn.tokens < 1) return false;
    conn.tokens -= 1;
    return true;
  }

  /** One client frame: counted against the socket's rate, parsed, and queued behind the socket's earlier ones. */
  function onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    if (conn.closing) return;
    if (!takeToken(conn)) {
      stats.counters.rateLimitedCloses++;
      closeConnection(conn, closeCodes.rateLimited, "too many messages");
      return;
    }
    let parsed: ReturnType<typeof clientMessageSchema.safeParse> | null = null;
    if (!isBinary) {
      try {
        parsed = clientMessageSchema.safeParse(JSON.parse(data.toString()));
      } catch {
        parsed = null;
      }
    }
    if (!parsed?.success) {
      sendControl(conn, { type: "error", code: "bad_message", message: "unknown or malformed message" });
      return;
    }
    const message = parsed.data;
    enqueue(
      conn,
      () => handleMessage(conn, message),
      (error) => {
        logger.warn({ err: error, type: message.type }, "realtime message failed");
        sendControl(conn, { type: "error", code: "internal", message: `${message.type} failed, retry` });
      },
    );
  }

  return { onFrame };
}

export type ClientMessages = ReturnType<typeof createClientMessages>;
