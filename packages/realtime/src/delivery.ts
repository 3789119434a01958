import type { Socket } from "node:net";
import { closeCodes, type ServerControlMessage } from "@avatar-chat/protocol";
import { WebSocket } from "ws";
import type { Connection } from "./connection";
import type { Subscription } from "./fanout";
import type { RealtimeLimits } from "./limits";
import type { ServerStats } from "./server-stats";

/** ws keeps its net.Socket private; reaching it is the only way to cork a batch of frames. */
function rawSocket(socket: WebSocket): Pick<Socket, "cork" | "uncork"> | undefined {
  return (socket as unknown as { _socket?: Socket })._socket;
}

// One options object for every live send: Buffers from Redis go out as text frames, unmodified.
const textFrame = { binary: false } as const;

export interface DeliveryDeps {
  limits: RealtimeLimits;
  stats: ServerStats;
  /** Takes a closing socket's subscription out of the fan-out. */
  leave(subscription: Subscription<Connection>): void;
}

/** Frames to sockets (events corked per tick, control messages) and the server's side of closing them. */
export function createDelivery({ limits, stats, leave }: DeliveryDeps) {
  function sendControl(conn: Connection, message: ServerControlMessage): void {
    if (conn.socket.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify(message));
  }

  /** Sends a close frame; drops the TCP connection if the peer never answers. */
  function closeSocket(socket: WebSocket, code: number, reason: string): void {
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), limits.closeTimeoutMs).unref();
  }

  /** Closes and stops feeding the socket. Its subscriptions stay listed until 'close' so presence can be cleared. */
  function closeConnection(conn: Connection, code: number, reason: string): void {
    if (conn.closing) return;
    conn.closing = true;
    stats.countClose(code);
    for (const sub of conn.subscriptions) leave(sub);
    closeSocket(conn.socket, code, reason);
  }

  // Sockets written to in this tick stay corked until the next one, so a burst of events (ioredis emits every
  // message of one read synchronously) leaves as one write per socket instead of one syscall per event.
  const corked: Connection[] = [];
  function uncorkAll(): void {
    for (const conn of corked) {
      conn.corked = false;
      rawSocket(conn.socket)?.uncork();
    }
    corked.length = 0;
  }

  function deliver(conn: Connection, data: string | Buffer): void {
    if (conn.closing) return;
    if (!conn.corked) {
      const raw = rawSocket(conn.socket);
      if (raw) {
        raw.cork();
        conn.corked = true;
        if (corked.push(conn) === 1) process.nextTick(uncorkAll);
      }
    }
    conn.socket.send(data, textFrame);
    if (conn.socket.bufferedAmount > limits.maxBufferedBytes) {
      stats.counters.slowConsumerCloses++;
      closeConnection(conn, closeCodes.slowConsumer, "slow consumer, resume");
    }
  }

  return { sendControl, closeSocket, closeConnection, deliver };
}

export type Delivery = ReturnType<typeof createDelivery>;
