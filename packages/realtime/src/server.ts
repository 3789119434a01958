import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import {
  type ClientMessage,
  clientMessageSchema,
  closeCodes,
  conversationChannel,
  parseChannel,
  publishEvent,
  type ServerControlMessage,
} from "@avatar-chat/protocol";
import { Redis, type RedisOptions } from "ioredis";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { originAllowed, type Principal } from "./access";
import { createFanout, type Subscription } from "./fanout";
import { limitsSchema, type RealtimeLimitsInput } from "./limits";
import {
  type PresenceEntry,
  publishPresence,
  removePresence,
  scopeName,
  sweepPresence,
  touchPresence,
} from "./presence";

export interface Logger {
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
}

export interface RealtimeDeps {
  /** Redis URL, or a factory creating an ioredis client with the given options (called twice: subscriber, commands). */
  redis: string | ((options: RedisOptions) => Redis);
  /** URL path the sockets connect to. */
  path?: string;
  /** Principal of an upgrade request (visitor token, session cookie, API key), or null to refuse with 401. */
  authenticate(req: IncomingMessage): Promise<Principal | null>;
  /** Checked on every subscribe, typically `canJoin` from ./access with a database lookup. */
  authorize(principal: Principal, channel: string): Promise<boolean>;
  /** Origins a cookie-authenticated member may connect from (dashboard URL). */
  allowedOrigins?: readonly string[];
  /** Prefix for every Redis key and pub/sub channel (tests use a random one). Must match the publishers'. */
  keyPrefix?: string;
  limits?: RealtimeLimitsInput;
  logger?: Logger;
}

interface Connection {
  readonly socket: WebSocket;
  readonly principal: Principal;
  readonly id: string;
  readonly subscriptions: Map<string, Subscription>;
  readonly presence: PresenceEntry[];
  alive: boolean;
  tokens: number;
  refilledAt: number;
  /** Client frames are handled one after another, so a subscribe and the next unsubscribe cannot cross. */
  queue: Promise<void>;
  closing: boolean;
  corked: boolean;
}

/** ws keeps its net.Socket private; reaching it is the only way to cork a batch of frames. */
function rawSocket(socket: WebSocket): Pick<Socket, "cork" | "uncork"> | undefined {
  return (socket as unknown as { _socket?: Socket })._socket;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };
// One options object for every live send: Buffers from Redis go out as text frames, unmodified.
const textFrame = { binary: false } as const;

export function createRealtime(deps: RealtimeDeps) {
  const limits = limitsSchema.parse(deps.limits ?? {});
  const path = deps.path ?? "/realtime";
  const prefix = deps.keyPrefix ?? "";
  const logger = deps.logger ?? silentLogger;
  const allowedOrigins = deps.allowedOrigins ?? [];
  // The subscriber skips the ready check (its INFO would collide with a queued SUBSCRIBE) and resubscribes
  // through `fanout.resync`, which also backfills what was missed; commands wait out a reconnect.
  const makeRedis = (options: RedisOptions) =>
    typeof deps.redis === "string" ? new Redis(deps.redis, options) : deps.redis(options);
  const subscriber = makeRedis({
    connectionName: "realtime-sub",
    autoResubscribe: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: null,
  });
  const commands = makeRedis({ connectionName: "realtime-cmd", maxRetriesPerRequest: null });
  const onError = (error: unknown, context: string) =>
    logger.warn({ err: error, context }, "realtime redis error");
  subscriber.on("error", (error) => onError(error, "subscriber"));
  commands.on("error", (error) => onError(error, "commands"));

  const fanout = createFanout({ subscriber, commands, prefix, onError });
  let subscriberReadyOnce = false;
  subscriber.on("ready", () => {
    if (!subscriberReadyOnce) {
      subscriberReadyOnce = true;
      return;
    }
    logger.info({}, "realtime redis reconnected, resubscribing");
    fanout.resync().catch((error: unknown) => onError(error, "resync"));
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const connections = new Set<Connection>();
  // Connection ids only need to be unique across nodes (presence members): node id + counter.
  const nodeId = randomBytes(6).toString("base64url");
  let connectionCount = 0;
  /** Presence removals of closed sockets still running; shutdown waits for them before quitting Redis. */
  const cleanups = new Set<Promise<void>>();
  const counters = { slowConsumerCloses: 0, rateLimitedCloses: 0, heartbeatTimeouts: 0, refusedUpgrades: 0 };
  let closing = false;
  let ownServer: Server | null = null;

  function sendControl(conn: Connection, message: ServerControlMessage): void {
    if (conn.socket.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify(message));
  }

  /** Sends a close frame and stops feeding the socket; drops the TCP connection if the peer never answers. */
  function closeConnection(conn: Connection, code: number, reason: string): void {
    if (conn.closing) return;
    conn.closing = true;
    for (const sub of conn.subscriptions.values()) fanout.leave(sub);
    conn.subscriptions.clear();
    conn.socket.close(code, reason);
    setTimeout(() => conn.socket.terminate(), limits.closeTimeoutMs).unref();
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
      counters.slowConsumerCloses++;
      closeConnection(conn, closeCodes.slowConsumer, "slow consumer, resume");
    }
  }

  async function subscribe(conn: Connection, channel: string, lastId: number | undefined): Promise<void> {
    const parsed = parseChannel(channel);
    if (!parsed || !(await deps.authorize(conn.principal, channel))) {
      sendControl(conn, { type: "denied", channel, reason: "forbidden" });
      return;
    }
    if (conn.closing) return;
    const existing = conn.subscriptions.get(channel);
    if (existing) fanout.leave(existing);
    else if (conn.subscriptions.size >= limits.maxSubscriptions) {
      sendControl(conn, { type: "denied", channel, reason: "too many subscriptions" });
      return;
    }
    const { subscription, startId } = await fanout.join(channel, lastId, {
      send: (data) => deliver(conn, data),
      onGap: (fromId, toId) => sendControl(conn, { type: "gap", channel, fromId, toId }),
      onRestart: () => sendControl(conn, { type: "subscribed", channel, lastId: 0 }),
    });
    if (conn.closing) {
      fanout.leave(subscription);
      return;
    }
    conn.subscriptions.set(channel, subscription);
    sendControl(conn, { type: "subscribed", channel, lastId: startId });
    fanout.start(subscription);
    if (parsed.kind === "conversation" && conn.principal.kind === "member") {
      await addPresence(conn, {
        scope: { kind: "conversation", conversationId: parsed.conversationId },
        member: `${conn.principal.userId} ${conn.id}`,
      });
    }
  }

  async function unsubscribe(conn: Connection, channel: string): Promise<void> {
    const sub = conn.subscriptions.get(channel);
    if (sub) {
      fanout.leave(sub);
      conn.subscriptions.delete(channel);
    }
    sendControl(conn, { type: "unsubscribed", channel });
    const parsed = parseChannel(channel);
    if (parsed?.kind !== "conversation") return;
    const viewing = scopeName({ kind: "conversation", conversationId: parsed.conversationId });
    const index = conn.presence.findIndex((e) => scopeName(e.scope) === viewing);
    if (index >= 0) await dropPresence(conn.presence.splice(index, 1)[0]!);
  }

  async function addPresence(conn: Connection, entry: PresenceEntry): Promise<void> {
    if (conn.closing) return; // the socket is gone; its close handler has already collected the entries
    if (conn.presence.some((e) => scopeName(e.scope) === scopeName(entry.scope))) return;
    conn.presence.push(entry);
    await touchPresence(commands, prefix, [entry], Date.now() + limits.presenceTtlMs);
    await publishPresence(commands, prefix, entry.scope, limits.streamMaxLen);
  }

  async function dropPresence(entry: PresenceEntry): Promise<void> {
    await removePresence(commands, prefix, entry);
    await publishPresence(commands, prefix, entry.scope, limits.streamMaxLen);
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
        if (!conn.subscriptions.has(channel)) return; // joining was authorized; typing elsewhere is not
        const who = conn.principal.kind === "visitor" ? "visitor" : "agent";
        await publishEvent(
          commands,
          channel,
          { type: "typing", conversationId: message.conversationId, who, on: message.on },
          { prefix, maxLen: limits.streamMaxLen },
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

  function onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    if (conn.closing) return;
    if (!takeToken(conn)) {
      counters.rateLimitedCloses++;
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
    conn.queue = conn.queue
      .then(() => handleMessage(conn, message))
      .catch((error: unknown) => {
        logger.warn({ err: error, type: message.type }, "realtime message failed");
        sendControl(conn, { type: "error", code: "internal", message: `${message.type} failed, retry` });
      });
  }

  function onConnection(socket: WebSocket, principal: Principal): void {
    const conn: Connection = {
      socket,
      principal,
      id: `${nodeId}.${(connectionCount++).toString(36)}`,
      subscriptions: new Map(),
      presence: [],
      alive: true,
      tokens: limits.messagesPerSecond,
      refilledAt: Date.now(),
      queue: Promise.resolve(),
      closing: false,
      corked: false,
    };
    connections.add(conn);
    socket.on("pong", () => {
      conn.alive = true;
    });
    socket.on("message", (data, isBinary) => onFrame(conn, data, isBinary));
    socket.on("error", () => {}); // ws closes the socket after an error (e.g. 1009); 'close' cleans up
    socket.on("close", () => {
      connections.delete(conn);
      conn.closing = true;
      for (const sub of conn.subscriptions.values()) fanout.leave(sub);
      conn.subscriptions.clear();
      const entries = conn.presence.splice(0);
      const cleanup = conn.queue
        .then(() => Promise.all(entries.map(dropPresence)))
        .then(() => undefined)
        .catch((error: unknown) => onError(error, "presence"))
        .finally(() => cleanups.delete(cleanup));
      cleanups.add(cleanup);
    });
    if (principal.kind === "visitor") {
      const entry: PresenceEntry = {
        scope: { kind: "chatbot", tenantId: principal.tenantId, chatbotId: principal.chatbotId },
        member: `${principal.visitorId} ${conn.id}`,
      };
      // Queued like client frames so a quick disconnect's removal cannot overtake the add.
      conn.queue = conn.queue
        .then(() => addPresence(conn, entry))
        .catch((error: unknown) => onError(error, "presence"));
    }
  }

  function refuse(socket: Duplex, status: number, text: string): void {
    counters.refusedUpgrades++;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  function pathOf(req: IncomingMessage): string {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    return query < 0 ? url : url.slice(0, query);
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => {});
    if (closing) return refuse(socket, 503, "Service Unavailable");
    if (pathOf(req) !== path) return refuse(socket, 404, "Not Found");
    let principal: Principal | null;
    try {
      principal = await deps.authenticate(req);
    } catch (error) {
      logger.error({ err: error }, "realtime authenticate failed");
      return refuse(socket, 500, "Internal Server Error");
    }
    if (!principal) return refuse(socket, 401, "Unauthorized");
    if (!originAllowed(principal, req.headers.origin, allowedOrigins))
      return refuse(socket, 403, "Forbidden");
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal));
  }

  async function heartbeat(): Promise<void> {
    const entries: PresenceEntry[] = [];
    for (const conn of connections) {
      if (!conn.alive) {
        counters.heartbeatTimeouts++;
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
      entries.push(...conn.presence);
    }
    await touchPresence(commands, prefix, entries, Date.now() + limits.presenceTtlMs);
    for (const scope of await sweepPresence(commands, prefix)) {
      await publishPresence(commands, prefix, scope, limits.streamMaxLen);
    }
  }
  const heartbeatTimer = setInterval(() => {
    heartbeat().catch((error: unknown) => onError(error, "heartbeat"));
  }, limits.heartbeatMs);
  heartbeatTimer.unref();

  return {
    handleUpgrade,
    /** Serves upgrades on `path` of an existing HTTP server (embedded mode); other paths are left alone. */
    attach(server: Server): void {
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (pathOf(req) === path) void handleUpgrade(req, socket, head);
      });
    },
    /** Own HTTP server for production mode; resolves with the bound port (0 picks a free one). */
    listen(port: number, host = "0.0.0.0"): Promise<{ port: number }> {
      const server = createServer((_req, res) => {
        res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket only\n");
      });
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        void handleUpgrade(req, socket, head);
      });
      ownServer = server;
      return new Promise((resolve) => {
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: typeof address === "object" && address ? address.port : port });
        });
      });
    },
    /** Graceful shutdown: 1001 to every socket (clients reconnect elsewhere and resume), then Redis quits. */
    async close(): Promise<void> {
      closing = true;
      clearInterval(heartbeatTimer);
      const closed = [...connections].map(
        (conn) =>
          new Promise<void>((resolve) => {
            conn.socket.once("close", () => resolve());
            closeConnection(conn, closeCodes.goingAway, "going away");
          }),
      );
      ownServer?.close();
      await Promise.all(closed);
      await Promise.all([...cleanups]);
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
    stats() {
      return { connections: connections.size, ...fanout.stats(), ...counters };
    },
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
