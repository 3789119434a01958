import { runInScope } from "@avatar-chat/telemetry";
import { WebSocket } from "ws";
import type { Principal } from "./access";
import type { Subscription } from "./fanout";

/**
 * What a node keeps per socket. Memory per idle connection matters (tens of thousands per node), so it holds
 * numbers and references only: no closures, Maps or timers of its own.
 */
export interface Connection {
  readonly socket: ConnectionSocket;
  readonly principal: Principal;
  /** The client's address as the node saw it (counted against `maxConnectionsPerAddress`); null if unknown. */
  readonly address: string | null;
  /** The upgrade request's id (its X-Request-Id, or one made for it), on every log line about the socket. */
  readonly requestId: string;
  /** Node-local number; presence makes it unique across nodes with the node id. */
  readonly serial: number;
  /** A handful at most (a visitor holds one): a small array replaced on change is lighter than a Map. */
  subscriptions: readonly Subscription<Connection>[];
  /** Unix second the credential is due for renewal or closing (its key in the expiry schedule); 0: never. */
  expiresAt: number;
  /** Answered since the last heartbeat ping. */
  alive: boolean;
  /** Token bucket of client frames. */
  tokens: number;
  refilledAt: number;
  /** Client frames are handled one after another (a subscribe and the next unsubscribe cannot cross); null when idle. */
  queue: Promise<void> | null;
  closing: boolean;
  corked: boolean;
}

/**
 * The class ws builds server sockets from (its `WebSocket` option): each socket points at its connection, so one
 * set of event handlers serves every socket through `this` instead of closures per socket.
 */
export class ConnectionSocket extends WebSocket {
  connection: Connection | null = null;
}

export function findSubscription(conn: Connection, channel: string): Subscription<Connection> | undefined {
  return conn.subscriptions.find((sub) => sub.channel === channel);
}

/** ws types event handlers' `this` as its base class; every socket of our server is a ConnectionSocket. */
export function connectionOf(socket: WebSocket): Connection | null {
  return (socket as ConnectionSocket).connection;
}

const settled = Promise.resolve();

/** Runs code in the socket's request scope: what it logs carries the upgrade's request id. */
export function inSocketScope<T>(conn: Connection, fn: () => T): T {
  return runInScope({ requestId: conn.requestId }, fn);
}

/**
 * Runs a task after the connection's earlier ones, in the socket's request scope (task and failure both);
 * the queue is dropped once it drains.
 */
export function enqueue(
  conn: Connection,
  task: () => Promise<void>,
  onFailure: (error: unknown) => void,
): void {
  const run = inSocketScope(conn, () => (conn.queue ?? settled).then(task).catch(onFailure));
  conn.queue = run;
  void run.then(() => {
    if (conn.queue === run) conn.queue = null;
  });
}

/** Settles once the tasks queued so far have run. */
export function drained(conn: Connection): Promise<void> {
  return conn.queue ?? settled;
}
