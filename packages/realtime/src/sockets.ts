import { closeCodes } from "@avatar-chat/protocol";
import type { RawData, WebSocket } from "ws";
import type { Principal } from "./access";
import type { Admission } from "./admission";
import type { ClientMessages } from "./client-messages";
import { type Connection, type ConnectionSocket, connectionOf, drained, enqueue } from "./connection";
import type { CredentialExpiry } from "./credential-expiry";
import type { Delivery } from "./delivery";
import type { Fanout } from "./fanout";
import type { RealtimeLimits } from "./limits";
import { chatbotPresence, type PresenceEntry, presenceEntries } from "./presence";
import type { PresenceUpdates } from "./presence-updates";
import type { ServerStats } from "./server-stats";

// Shared no-op: ws closes a socket after an error (e.g. 1009) and its 'close' handler cleans up.
export const ignoreError = () => {};

export interface SocketsDeps {
  limits: RealtimeLimits;
  admission: Admission;
  fanout: Fanout<Connection>;
  delivery: Delivery;
  messages: ClientMessages;
  expiry: CredentialExpiry;
  presence: PresenceUpdates;
  stats: ServerStats;
  onError(error: unknown, context: string): void;
  /** A socket's id across the nodes (leases, presence members), from its node-local serial. */
  socketId(serial: number): string;
}

/**
 * The open sockets of a node: admitted after the handshake, counted, kept alive by the heartbeat, and
 * cleaned up (counts, leases, presence) when they close.
 */
export function createSockets(deps: SocketsDeps) {
  const { limits, admission, fanout, delivery, messages, expiry, presence, stats, onError, socketId } = deps;
  const connectionId = (conn: Connection) => socketId(conn.serial);
  const connections = new Set<Connection>();
  /** Presence removals of closed sockets still running; shutdown waits for them before quitting Redis. */
  const cleanups = new Set<Promise<void>>();

  // Event handlers shared by every socket (`this` is the socket): no closure or context per connection.
  function onSocketPong(this: WebSocket): void {
    const conn = connectionOf(this);
    if (conn) conn.alive = true;
  }

  function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const conn = connectionOf(this);
    if (conn) messages.onFrame(conn, data, isBinary);
  }

  function onSocketClose(this: WebSocket): void {
    const conn = connectionOf(this);
    if (!conn || !connections.delete(conn)) return;
    conn.closing = true;
    admission.countOut(conn.principal, conn.address);
    expiry.unfile(conn);
    for (const sub of conn.subscriptions) fanout.leave(sub);
    // After the queue drains: a subscribe still running may be what put a viewer entry in Redis.
    const cleanup = drained(conn)
      .then(() => admission.releaseLeases(connectionId(conn), conn.principal, conn.address))
      .then(() => {
        const channels = conn.subscriptions.map((sub) => sub.channel);
        conn.subscriptions = [];
        return Promise.all(presenceEntries(conn.principal, channels, connectionId(conn)).map(presence.drop));
      })
      .then(() => undefined)
      .catch((error: unknown) => onError(error, "presence"))
      .finally(() => cleanups.delete(cleanup));
    cleanups.add(cleanup);
  }

  /** A socket ws has just accepted: closed at once if a limit is full, else served. */
  function open(
    socket: ConnectionSocket,
    principal: Principal,
    address: string | null,
    requestId: string,
    serial: number,
    leased: "visitor" | "address" | null,
  ): void {
    socket.on("error", ignoreError);
    if (leased) {
      stats.counters.connectionLimitCloses++;
      delivery.closeSocket(socket, closeCodes.connectionLimit, `${leased} connection limit reached`);
      return;
    }
    const full = admission.admit(principal, address);
    if (full) void admission.releaseLeases(socketId(serial), principal, address);
    if (full === "tenant") {
      stats.counters.quotaCloses++;
      delivery.closeSocket(socket, closeCodes.tenantQuota, "tenant connection quota reached");
      return;
    }
    if (full) {
      stats.counters.connectionLimitCloses++;
      delivery.closeSocket(socket, closeCodes.connectionLimit, `${full} connection limit reached`);
      return;
    }
    const conn: Connection = {
      socket,
      principal,
      address,
      requestId,
      serial,
      subscriptions: [],
      expiresAt: 0,
      alive: true,
      tokens: limits.messagesPerSecond,
      refilledAt: Date.now(),
      queue: null,
      closing: false,
      corked: false,
    };
    socket.connection = conn;
    connections.add(conn);
    socket.on("pong", onSocketPong);
    socket.on("message", onSocketMessage);
    socket.on("close", onSocketClose);
    if (principal.expiresAt !== undefined) expiry.file(conn, principal.expiresAt);
    const present = chatbotPresence(principal, connectionId(conn));
    // Queued like client frames so a quick disconnect's removal cannot overtake the add.
    if (present)
      enqueue(
        conn,
        async () => {
          if (!conn.closing) await presence.add(present); // gone: its close handler removes what it held
        },
        (error) => onError(error, "presence"),
      );
  }

  /** Pings every socket, terminates those that did not answer the last ping, refreshes leases and presence. */
  async function heartbeat(): Promise<void> {
    const entries: PresenceEntry[] = [];
    const held: { socketId: string; keys: string[] }[] = [];
    for (const conn of connections) {
      if (!conn.alive) {
        stats.counters.heartbeatTimeouts++;
        // Terminated without a close frame; counted under the code a client is told to expect for it.
        stats.countClose(closeCodes.heartbeatTimeout);
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
      const channels = conn.subscriptions.map((sub) => sub.channel);
      entries.push(...presenceEntries(conn.principal, channels, connectionId(conn)));
      const keys = admission.leaseKeys(conn.principal, conn.address);
      if (keys.length > 0) held.push({ socketId: connectionId(conn), keys });
    }
    await admission.leases.renew(held);
    await presence.refresh(entries);
  }

  return {
    open,
    heartbeat,
    get size() {
      return connections.size;
    },
    /** Closes every socket with 1001 and waits until each has closed and cleaned up. */
    async closeAll(): Promise<void> {
      const closed = [...connections].map(
        (conn) =>
          new Promise<void>((resolve) => {
            conn.socket.once("close", () => resolve());
            delivery.closeConnection(conn, closeCodes.goingAway, "going away");
          }),
      );
      await Promise.all(closed);
      await Promise.all([...cleanups]);
    },
    /** The credentials of the sockets `matches` picks are checked now; returns how many were picked. */
    recheck(matches: (principal: Principal) => boolean): number {
      let picked = 0;
      for (const conn of connections) {
        if (conn.closing || !matches(conn.principal)) continue;
        expiry.checkNow(conn);
        picked++;
      }
      return picked;
    },
  };
}

export type Sockets = ReturnType<typeof createSockets>;
