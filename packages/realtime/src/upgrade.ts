import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ClientAddressOf } from "@avatar-chat/config";
import { type Logger, requestIdFrom, runInScope } from "@avatar-chat/telemetry";
import type { Server as WebSocketServer } from "ws";
import { originAllowed, type Principal } from "./access";
import type { Admission } from "./admission";
import type { ConnectionSocket } from "./connection";
import type { ServerStats } from "./server-stats";
import { ignoreError, type Sockets } from "./sockets";

export interface UpgradeDeps {
  /** URL path the sockets connect to; every other upgrade is answered 404. */
  path: string;
  authenticate(req: IncomingMessage): Promise<Principal | null>;
  allowedOrigins: readonly string[];
  /** The client's address from the TCP peer and X-Forwarded-For, as the trusted proxies allow. */
  clientAddressOf: ClientAddressOf;
  wss: WebSocketServer<typeof ConnectionSocket>;
  admission: Admission;
  sockets: Sockets;
  stats: ServerStats;
  logger: Logger;
  socketId(serial: number): string;
  /** True once shutdown began: upgrades are refused with 503. */
  closing(): boolean;
}

/** One X-Forwarded-For value: node joins repeated headers into an array only for some names. */
function forwardedFor(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header.join(",") : header;
}

function firstHeader(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

/**
 * HTTP upgrade → socket: path, credentials and Origin are checked before the handshake (refusals are HTTP
 * statuses), then the socket's cluster-wide leases are taken and ws completes the handshake.
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  const { wss, admission, sockets, stats, logger, socketId } = deps;
  let connectionCount = 0;

  function refuse(socket: Duplex, status: number, text: string): void {
    stats.counters.refusedUpgrades++;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** The proxy's X-Request-Id when well-formed, else a new one (as the api does): on every line about the socket. */
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const requestId = requestIdFrom(firstHeader(req.headers["x-request-id"]));
    return runInScope({ requestId }, () => upgrade(req, socket, head, requestId));
  };

  async function upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    requestId: string,
  ): Promise<void> {
    socket.on("error", ignoreError);
    if (deps.closing()) return refuse(socket, 503, "Service Unavailable");
    if (pathOf(req) !== deps.path) return refuse(socket, 404, "Not Found");
    let principal: Principal | null;
    try {
      principal = await deps.authenticate(req);
    } catch (error) {
      logger.error({ err: error }, "realtime authenticate failed");
      return refuse(socket, 500, "Internal Server Error");
    }
    if (!principal) return refuse(socket, 401, "Unauthorized");
    if (!originAllowed(principal, req.headers.origin, deps.allowedOrigins))
      return refuse(socket, 403, "Forbidden");
    if (socket.destroyed) return;
    const accepted = principal;
    const address = deps.clientAddressOf(
      req.socket.remoteAddress,
      forwardedFor(req.headers["x-forwarded-for"]),
    );
    const serial = connectionCount++;
    const leased = await admission.takeLeases(socketId(serial), accepted, address);
    let upgraded = false;
    // ws completes the handshake synchronously (no verifyClient), or refuses it and never calls back.
    if (!socket.destroyed) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        socket.off("error", ignoreError); // ws has its own listener on the TCP socket now
        sockets.open(ws, accepted, address, requestId, serial, leased);
      });
    }
    if (!upgraded && !leased) void admission.releaseLeases(socketId(serial), accepted, address);
  }
}
