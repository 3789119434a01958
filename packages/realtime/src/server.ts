import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { clientAddressResolver, createRedisClient, type RedisConnection } from "@avatar-chat/config";
import {
  type ClientMessage,
  clientMessageSchema,
  closeCodes,
  conversationChannel,
  parseChannel,
  publishEvent,
  type ServerControlMessage,
} from "@avatar-chat/protocol";
import { type Logger, silentLogger } from "@avatar-chat/telemetry";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { originAllowed, type Principal } from "./access";
import { type Connection, ConnectionSocket, connectionOf, findSubscription } from "./connection";
import { createExpirySchedule } from "./expiry-schedule";
import { createFanout } from "./fanout";
import { limitsSchema, type RealtimeLimitsInput } from "./limits";
import {
  chatbotPresence,
  type PresenceEntry,
  presenceEntries,
  publishPresence,
  removePresence,
  sweepPresence,
  touchPresence,
  viewerPresence,
} from "./presence";
import { createSocketCounts } from "./socket-counts";
import { createSocketLeases } from "./socket-leases";
import { createTenantCensus } from "./tenant-census";

export interface RealtimeDeps {
  /** Redis URL, or ioredis options (a Sentinel-watched primary); a subscriber and a command client are made from it. */
  redis: RedisConnection;
  /** URL path the sockets connect to. */
  path?: string;
  /** Principal of an upgrade request (visitor token, session cookie, API key), or null to refuse with 401. */
  authenticate(req: IncomingMessage): Promise<Principal | null>;
  /** Checked on every subscribe, typically `canJoin` from ./access with a database lookup. */
  authorize(principal: Principal, channel: string): Promise<boolean>;
  /**
   * Called when an open socket's credential reaches its `expiresAt`: the new expiry (unix seconds) while the
   * credential still holds (a session renewed meanwhile), or null to close the socket with 4001. Without it,
   * reaching `expiresAt` closes the socket.
   */
  renew?(principal: Principal): Promise<number | null>;
  /** Origins a cookie-authenticated member may connect from (dashboard URL). */
  allowedOrigins?: readonly string[];
  /** Proxies whose X-Forwarded-For names the client (per-address socket limits); none by default. */
  trustedProxies?: readonly string[];
  /** Prefix for every Redis key and pub/sub channel (tests use a random one). Must match the publishers'. */
  keyPrefix?: string;
  limits?: RealtimeLimitsInput;
  logger?: Logger;
}

/** ws keeps its net.Socket private; reaching it is the only way to cork a batch of frames. */
function rawSocket(socket: WebSocket): Pick<Socket, "cork" | "uncork"> | undefined {
  return (socket as unknown as { _socket?: Socket })._socket;
}

/** One X-Forwarded-For value: node joins repeated headers into an array only for some names. */
function forwardedFor(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header.join(",") : header;
}

// One options object for every live send: Buffers from Redis go out as text frames, unmodified.
const textFrame = { binary: false } as const;
// Shared no-op: ws closes a socket after an error (e.g. 1009) and its 'close' handler cleans up.
const ignoreError = () => {};
const settled = Promise.resolve();
/** A renewal that failed (database unreachable) is tried again this much later; the socket stays open. */
const renewRetrySeconds = 30;
/** How long an upgrade waits for its socket leases before Redis counts as unreachable. */
const leaseWaitMs = 1_000;

export function createRealtime(deps: RealtimeDeps) {
  const limits = limitsSchema.parse(deps.limits ?? {});
  const path = deps.path ?? "/realtime";
  const prefix = deps.keyPrefix ?? "";
  const logger = deps.logger ?? silentLogger;
  const allowedOrigins = deps.allowedOrigins ?? [];
  const clientAddressOf = clientAddressResolver(deps.trustedProxies ?? []);
  // The subscriber skips the ready check (its INFO would collide with a queued SUBSCRIBE) and resubscribes
  // through `fanout.resync`, which also backfills what was missed; commands wait out a reconnect.
  const subscriber = createRedisClient(deps.redis, {
    connectionName: "realtime-sub",
    autoResubscribe: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: null,
  });
  const commands = createRedisClient(deps.redis, {
    connectionName: "realtime-cmd",
    maxRetriesPerRequest: null,
  });
  // An outage is logged once when it starts and once when Redis answers again, not per reconnect attempt;
  // while it lasts, the failures it causes (presence, census, resync) say nothing new.
  let redisLostAt: number | null = null;
  const onError = (error: unknown, context: string) => {
    if (redisLostAt === null) logger.warn({ err: error, context }, "realtime redis error");
  };
  const onConnectionError = (error: unknown, context: string) => {
    if (redisLostAt !== null) return;
    logger.warn({ err: error, context }, "realtime redis unavailable, reconnecting");
    redisLostAt = Date.now();
  };
  const onConnectionReady = () => {
    if (redisLostAt === null) return;
    logger.info({ downMs: Date.now() - redisLostAt }, "realtime redis reachable again");
    redisLostAt = null;
  };
  subscriber.on("error", (error) => onConnectionError(error, "subscriber"));
  commands.on("error", (error) => onConnectionError(error, "commands"));
  subscriber.on("ready", onConnectionReady);
  commands.on("ready", onConnectionReady);

  const fanout = createFanout<Connection>({
    subscriber,
    commands,
    prefix,
    onError,
    send: deliver,
    onGap: (conn, channel, fromId, toId) => sendControl(conn, { type: "gap", channel, fromId, toId }),
    onRestart: (conn, channel) => sendControl(conn, { type: "subscribed", channel, lastId: 0 }),
  });
  let subscriberReadyOnce = false;
  subscriber.on("ready", () => {
    if (!subscriberReadyOnce) {
      subscriberReadyOnce = true;
      return;
    }
    logger.info("realtime redis reconnected, resubscribing");
    fanout.resync().catch((error: unknown) => onError(error, "resync"));
  });

  const wss = new WebSocketServer<typeof ConnectionSocket>({
    noServer: true,
    WebSocket: ConnectionSocket,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const connections = new Set<Connection>();
  const tenantConnections = createSocketCounts(limits.maxConnectionsPerTenant);
  const visitorConnections = createSocketCounts(limits.maxConnectionsPerVisitor);
  const addressConnections = createSocketCounts(limits.maxConnectionsPerAddress);
  const expiry = createExpirySchedule<Connection>(onCredentialDue);
  // Connection ids only need to be unique across nodes (presence members): node id + counter.
  const nodeId = randomBytes(6).toString("base64url");
  let connectionCount = 0;
  const census = createTenantCensus({
    redis: commands,
    prefix,
    nodeId,
    ttlMs: 3 * limits.censusMs,
    counts: tenantConnections.counts,
  });
  const socketId = (serial: number) => `${nodeId}.${serial.toString(36)}`;
  const connectionId = (conn: Connection) => socketId(conn.serial);
  // Visitor and address limits across the cluster; a node's own counts (above) still hold without Redis.
  const leases = createSocketLeases({ redis: commands, prefix, ttlMs: limits.presenceTtlMs });
  /** Presence removals of closed sockets still running; shutdown waits for them before quitting Redis. */
  const cleanups = new Set<Promise<void>>();
  const counters = {
    slowConsumerCloses: 0,
    rateLimitedCloses: 0,
    heartbeatTimeouts: 0,
    refusedUpgrades: 0,
    expiredCloses: 0,
    quotaCloses: 0,
    connectionLimitCloses: 0,
  };
  /** Sockets this server closed, by close code (what metrics call drops). */
  const closesByCode = new Map<number, number>();
  let closing = false;
  let ownServer: Server | null = null;

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
    closesByCode.set(code, (closesByCode.get(code) ?? 0) + 1);
    for (const sub of conn.subscriptions) fanout.leave(sub);
    closeSocket(conn.socket, code, reason);
  }

  /** Runs a task after the connection's earlier ones; the queue is dropped once it drains. */
  function enqueue(conn: Connection, task: () => Promise<void>, onFailure: (error: unknown) => void): void {
    const run = (conn.queue ?? settled).then(task).catch(onFailure);
    conn.queue = run;
    void run.then(() => {
      if (conn.queue === run) conn.queue = null;
    });
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
    if (viewing) await addPresence(conn, viewing);
  }

  async function unsubscribe(conn: Connection, channel: string): Promise<void> {
    const sub = findSubscription(conn, channel);
    if (sub) {
      fanout.leave(sub);
      conn.subscriptions = conn.subscriptions.toSpliced(conn.subscriptions.indexOf(sub), 1);
    }
    sendControl(conn, { type: "unsubscribed", channel });
    const viewing = sub && viewerPresence(conn.principal, channel, connectionId(conn));
    if (viewing) await dropPresence(viewing);
  }

  async function addPresence(conn: Connection, entry: PresenceEntry): Promise<void> {
    if (conn.closing) return; // the socket is gone; its close handler removes what it held
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
        if (!findSubscription(conn, channel)) return; // joining was authorized; typing elsewhere is not
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
    enqueue(
      conn,
      () => handleMessage(conn, message),
      (error) => {
        logger.warn({ err: error, type: message.type }, "realtime message failed");
        sendControl(conn, { type: "error", code: "internal", message: `${message.type} failed, retry` });
      },
    );
  }

  // Expiry: one schedule for all sockets (no timer per socket). A due socket is renewed or closed with 4001.
  function scheduleExpiry(conn: Connection, expiresAt: number): void {
    conn.expiresAt = expiresAt;
    expiry.add(conn, expiresAt);
  }

  function expire(conn: Connection): void {
    counters.expiredCloses++;
    closeConnection(conn, closeCodes.unauthorized, "credentials expired");
  }

  function onCredentialDue(conn: Connection): void {
    conn.expiresAt = 0; // the schedule has let go of it
    if (conn.closing) return;
    if (!deps.renew) {
      expire(conn);
      return;
    }
    deps.renew(conn.principal).then(
      (expiresAt) => {
        if (conn.closing) return;
        if (expiresAt === null || expiresAt * 1000 <= Date.now()) expire(conn);
        else scheduleExpiry(conn, expiresAt);
      },
      (error: unknown) => {
        logger.warn({ err: error }, "realtime credential renewal failed, retrying");
        if (!conn.closing) scheduleExpiry(conn, Math.floor(Date.now() / 1000) + renewRetrySeconds);
      },
    );
  }

  // Event handlers shared by every socket (`this` is the socket): no closure or context per connection.
  function onSocketPong(this: WebSocket): void {
    const conn = connectionOf(this);
    if (conn) conn.alive = true;
  }

  function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const conn = connectionOf(this);
    if (conn) onFrame(conn, data, isBinary);
  }

  function onSocketClose(this: WebSocket): void {
    const conn = connectionOf(this);
    if (!conn || !connections.delete(conn)) return;
    conn.closing = true;
    tenantConnections.close(conn.principal.tenantId);
    const { visitor, address } = limitKeys(conn.principal, conn.address);
    if (visitor) visitorConnections.close(visitor);
    if (address) addressConnections.close(address);
    if (conn.expiresAt) expiry.delete(conn, conn.expiresAt);
    for (const sub of conn.subscriptions) fanout.leave(sub);
    const leaseKeys = leaseLimits(conn.principal, conn.address).map((l) => l.limit.key);
    // After the queue drains: a subscribe still running may be what put a viewer entry in Redis.
    const cleanup = (conn.queue ?? settled)
      .then(() =>
        leases.release(connectionId(conn), leaseKeys).catch((error: unknown) => onError(error, "leases")),
      )
      .then(() => {
        const channels = conn.subscriptions.map((sub) => sub.channel);
        conn.subscriptions = [];
        return Promise.all(presenceEntries(conn.principal, channels, connectionId(conn)).map(dropPresence));
      })
      .then(() => undefined)
      .catch((error: unknown) => onError(error, "presence"))
      .finally(() => cleanups.delete(cleanup));
    cleanups.add(cleanup);
  }

  /** What a socket counts against besides its tenant: its visitor, and its address unless it is an API key. */
  function limitKeys(principal: Principal, address: string | null) {
    return {
      visitor: principal.kind === "visitor" ? principal.visitorId : null,
      address: principal.kind === "apiKey" ? null : address,
    };
  }

  /** The cluster-wide limits a socket counts against (its visitor, its address), as lease keys. */
  function leaseLimits(principal: Principal, address: string | null) {
    const { visitor, address: byAddress } = limitKeys(principal, address);
    const found: { name: "visitor" | "address"; limit: { key: string; max: number } }[] = [];
    if (visitor)
      found.push({
        name: "visitor",
        limit: { key: `visitor:${visitor}`, max: limits.maxConnectionsPerVisitor },
      });
    if (byAddress)
      found.push({
        name: "address",
        limit: { key: `address:${byAddress}`, max: limits.maxConnectionsPerAddress },
      });
    return found;
  }

  /**
   * Takes the socket's leases on every node's count of its visitor and address, or says which is full.
   * Without an answer from Redis within a second the socket is let through: this node's own counts hold.
   */
  async function takeLeases(
    serial: number,
    principal: Principal,
    address: string | null,
  ): Promise<"visitor" | "address" | null> {
    const found = leaseLimits(principal, address);
    let timer: NodeJS.Timeout | undefined;
    try {
      const full = await Promise.race([
        leases.acquire(
          socketId(serial),
          found.map((f) => f.limit),
        ),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), leaseWaitMs);
        }),
      ]);
      return full === null ? null : found[full]!.name;
    } catch (error) {
      onError(error, "leases");
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function releaseLeases(serial: number, principal: Principal, address: string | null): void {
    const keys = leaseLimits(principal, address).map((l) => l.limit.key);
    leases.release(socketId(serial), keys).catch((error: unknown) => onError(error, "leases"));
  }

  /**
   * Counts the socket in against its tenant, visitor and address, or counts nothing and says which is full.
   * Synchronous with the accept (and counted out in 'close'), so churn cannot skew the counts.
   */
  function admit(principal: Principal, address: string | null): "tenant" | "visitor" | "address" | null {
    if (!tenantConnections.tryOpen(principal.tenantId, census.elsewhere(principal.tenantId))) return "tenant";
    const keys = limitKeys(principal, address);
    if (keys.visitor && !visitorConnections.tryOpen(keys.visitor)) {
      tenantConnections.close(principal.tenantId);
      return "visitor";
    }
    if (keys.address && !addressConnections.tryOpen(keys.address)) {
      tenantConnections.close(principal.tenantId);
      if (keys.visitor) visitorConnections.close(keys.visitor);
      return "address";
    }
    return null;
  }

  function onConnection(
    socket: ConnectionSocket,
    principal: Principal,
    address: string | null,
    serial: number,
    leased: "visitor" | "address" | null,
  ): void {
    socket.on("error", ignoreError);
    if (leased) {
      counters.connectionLimitCloses++;
      closeSocket(socket, closeCodes.connectionLimit, `${leased} connection limit reached`);
      return;
    }
    const full = admit(principal, address);
    if (full) releaseLeases(serial, principal, address);
    if (full === "tenant") {
      counters.quotaCloses++;
      closeSocket(socket, closeCodes.tenantQuota, "tenant connection quota reached");
      return;
    }
    if (full) {
      counters.connectionLimitCloses++;
      closeSocket(socket, closeCodes.connectionLimit, `${full} connection limit reached`);
      return;
    }
    const conn: Connection = {
      socket,
      principal,
      address,
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
    if (principal.expiresAt !== undefined) scheduleExpiry(conn, principal.expiresAt);
    const present = chatbotPresence(principal, connectionId(conn));
    // Queued like client frames so a quick disconnect's removal cannot overtake the add.
    if (present)
      enqueue(
        conn,
        () => addPresence(conn, present),
        (error) => onError(error, "presence"),
      );
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
    socket.on("error", ignoreError);
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
    const accepted = principal;
    const address = clientAddressOf(req.socket.remoteAddress, forwardedFor(req.headers["x-forwarded-for"]));
    const serial = connectionCount++;
    const leased = await takeLeases(serial, accepted, address);
    let upgraded = false;
    // ws completes the handshake synchronously (no verifyClient), or refuses it and never calls back.
    if (!socket.destroyed) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        socket.off("error", ignoreError); // ws has its own listener on the TCP socket now
        onConnection(ws, accepted, address, serial, leased);
      });
    }
    if (!upgraded && !leased) releaseLeases(serial, accepted, address);
  }

  async function heartbeat(): Promise<void> {
    const entries: PresenceEntry[] = [];
    const held: { socketId: string; keys: string[] }[] = [];
    for (const conn of connections) {
      if (!conn.alive) {
        counters.heartbeatTimeouts++;
        // Terminated without a close frame; counted under the code a client is told to expect for it.
        closesByCode.set(
          closeCodes.heartbeatTimeout,
          (closesByCode.get(closeCodes.heartbeatTimeout) ?? 0) + 1,
        );
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
      const channels = conn.subscriptions.map((sub) => sub.channel);
      entries.push(...presenceEntries(conn.principal, channels, connectionId(conn)));
      const keys = leaseLimits(conn.principal, conn.address).map((l) => l.limit.key);
      if (keys.length > 0) held.push({ socketId: connectionId(conn), keys });
    }
    await leases.renew(held);
    await touchPresence(commands, prefix, entries, Date.now() + limits.presenceTtlMs);
    for (const scope of await sweepPresence(commands, prefix)) {
      await publishPresence(commands, prefix, scope, limits.streamMaxLen);
    }
  }
  const heartbeatTimer = setInterval(() => {
    heartbeat().catch((error: unknown) => onError(error, "heartbeat"));
  }, limits.heartbeatMs);
  heartbeatTimer.unref();
  const censusTimer = setInterval(() => {
    census.round().catch((error: unknown) => onError(error, "census"));
  }, limits.censusMs);
  censusTimer.unref();

  return {
    handleUpgrade,
    /**
     * Serves upgrades on `path` of an existing HTTP server (embedded mode). Node hands every upgrade request
     * (`/trpc/*`, `h2c`, …) to this listener once there is one, so the others are answered 404 and closed here:
     * unanswered, each would hold a descriptor in CLOSE-WAIT after its client left.
     */
    attach(server: Server): void {
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        void handleUpgrade(req, socket, head);
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
      clearInterval(censusTimer);
      expiry.close();
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
      await census.leave().catch((error: unknown) => onError(error, "census"));
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
    stats() {
      return {
        connections: connections.size,
        tenants: tenantConnections.size,
        expiring: expiry.size,
        ...fanout.stats(),
        ...counters,
        closesByCode: closesByCode as ReadonlyMap<number, number>,
        /** Open sockets per tenant on this node. */
        tenantSockets: tenantConnections.counts(),
      };
    },
    /**
     * Checks the credentials of the sockets `matches` picks now rather than at their next check (a key was
     * revoked, a session ended elsewhere): each is renewed or closed with 4001. Returns how many were picked.
     */
    recheck(matches: (principal: Principal) => boolean): number {
      let picked = 0;
      for (const conn of connections) {
        if (conn.closing || !matches(conn.principal)) continue;
        if (conn.expiresAt) expiry.delete(conn, conn.expiresAt);
        onCredentialDue(conn);
        picked++;
      }
      return picked;
    },
    /** Sockets the tenant holds open on this node. */
    tenantConnections: (tenantId: string) => tenantConnections.count(tenantId),
    /** Sockets the tenant holds on all nodes, as this node counts them against `limits.maxConnectionsPerTenant`. */
    clusterConnections: (tenantId: string) => tenantConnections.count(tenantId) + census.elsewhere(tenantId),
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
