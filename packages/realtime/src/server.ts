import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { clientAddressResolver, createRedisClient, type RedisConnection } from "@avatar-chat/config";
import { type Logger, silentLogger } from "@avatar-chat/telemetry";
import { WebSocketServer } from "ws";
import type { Principal } from "./access";
import { createAdmission } from "./admission";
import { createClientMessages } from "./client-messages";
import { type Connection, ConnectionSocket } from "./connection";
import { createCredentialExpiry } from "./credential-expiry";
import { createDelivery } from "./delivery";
import { createFanout } from "./fanout";
import { limitsSchema, type RealtimeLimitsInput } from "./limits";
import { createPresenceUpdates } from "./presence-updates";
import { createServerStats } from "./server-stats";
import { createSockets } from "./sockets";
import { createUpgradeHandler } from "./upgrade";

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

/**
 * The composition of a realtime node: Redis connections, fan-out (./fanout, ./delivery), the client protocol
 * (./client-messages), admission and limits (./admission), the sockets' lifecycle (./sockets), credential
 * expiry (./credential-expiry) and the upgrade (./upgrade), wired here and nowhere else.
 */
export function createRealtime(deps: RealtimeDeps) {
  const limits = limitsSchema.parse(deps.limits ?? {});
  const prefix = deps.keyPrefix ?? "";
  const logger = deps.logger ?? silentLogger;
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

  const stats = createServerStats();
  const delivery = createDelivery({ limits, stats, leave: (sub) => fanout.leave(sub) });
  const fanout = createFanout<Connection>({
    subscriber,
    commands,
    prefix,
    onError,
    send: delivery.deliver,
    onGap: (conn, channel, fromId, toId) =>
      delivery.sendControl(conn, { type: "gap", channel, fromId, toId }),
    onRestart: (conn, channel) => delivery.sendControl(conn, { type: "subscribed", channel, lastId: 0 }),
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

  // Socket ids only need to be unique across nodes (presence members, leases): node id + serial.
  const nodeId = randomBytes(6).toString("base64url");
  const socketId = (serial: number) => `${nodeId}.${serial.toString(36)}`;
  const admission = createAdmission({ limits, redis: commands, prefix, nodeId, onError });
  const presence = createPresenceUpdates({
    redis: commands,
    prefix,
    ttlMs: limits.presenceTtlMs,
    streamMaxLen: limits.streamMaxLen,
  });
  const expiry = createCredentialExpiry({
    renew: deps.renew,
    closeConnection: delivery.closeConnection,
    stats,
    logger,
  });
  const messages = createClientMessages({
    authorize: deps.authorize,
    limits,
    redis: commands,
    prefix,
    fanout,
    delivery,
    presence,
    stats,
    logger,
    connectionId: (conn) => socketId(conn.serial),
  });
  const sockets = createSockets({
    limits,
    admission,
    fanout,
    delivery,
    messages,
    expiry,
    presence,
    stats,
    onError,
    socketId,
  });
  let closing = false;
  const handleUpgrade = createUpgradeHandler({
    path: deps.path ?? "/realtime",
    authenticate: deps.authenticate,
    allowedOrigins: deps.allowedOrigins ?? [],
    clientAddressOf: clientAddressResolver(deps.trustedProxies ?? []),
    wss: new WebSocketServer<typeof ConnectionSocket>({
      noServer: true,
      WebSocket: ConnectionSocket,
      maxPayload: limits.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
    }),
    admission,
    sockets,
    stats,
    logger,
    socketId,
    closing: () => closing,
  });

  const heartbeatTimer = setInterval(() => {
    sockets.heartbeat().catch((error: unknown) => onError(error, "heartbeat"));
  }, limits.heartbeatMs);
  heartbeatTimer.unref();
  const censusTimer = setInterval(() => {
    admission.census.round().catch((error: unknown) => onError(error, "census"));
  }, limits.censusMs);
  censusTimer.unref();
  let ownServer: Server | null = null;

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
      const closed = sockets.closeAll();
      ownServer?.close();
      await closed;
      await admission.census.leave().catch((error: unknown) => onError(error, "census"));
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
    /** Its two Redis clients, for the Redis client gauges. */
    redisClients() {
      return [
        { client: "realtime-sub", redis: subscriber },
        { client: "realtime-cmd", redis: commands },
      ];
    },
    stats() {
      return {
        connections: sockets.size,
        tenants: admission.tenants,
        expiring: expiry.size,
        ...fanout.stats(),
        ...stats.counters,
        closesByCode: stats.closesByCode,
        /** Open sockets per tenant on this node. */
        tenantSockets: admission.tenantCounts(),
      };
    },
    /**
     * Checks the credentials of the sockets `matches` picks now rather than at their next check (a key was
     * revoked, a session ended elsewhere): each is renewed or closed with 4001. Returns how many were picked.
     */
    recheck: sockets.recheck,
    /** Sockets the tenant holds open on this node. */
    tenantConnections: admission.tenantCount,
    /** Sockets the tenant holds on all nodes, as this node counts them against `limits.maxConnectionsPerTenant`. */
    clusterConnections: (tenantId: string) =>
      admission.tenantCount(tenantId) + admission.census.elsewhere(tenantId),
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
