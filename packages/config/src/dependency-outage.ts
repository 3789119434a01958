// What every service needs when PostgreSQL or Redis goes away for a while: telling "the dependency is
// unreachable" from a real failure, and logging an outage once instead of once per reconnect attempt.

// Socket-level failures of any client (refused, reset, broken pipe, timed out, name lookup).
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// PostgreSQL: connection exceptions (class 08), shutting down or starting up (57P01-57P03), out of slots.
const isPostgresOutageCode = (code: string) =>
  code.startsWith("08") || /^57P0[123]$/.test(code) || code === "53300";
const outageMessages = [
  // pg
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /not queryable/,
  /The database connection for tenant reads was lost/,
  // ioredis and BullMQ
  /^Connection is closed/,
  /Stream isn't writeable/,
  /max retries per request limit/,
  /^LOADING /,
  /^READONLY /,
];

/** PostgreSQL or Redis could not be reached (the request may well work in a moment), looking through `cause`s. */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return false;
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === "string" && (socketCodes.has(code) || isPostgresOutageCode(code))) return true;
    if (name === "MaxRetriesPerRequestError") return true;
    if (typeof message === "string" && outageMessages.some((pattern) => pattern.test(message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface OutageLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** What the clients of one dependency report: a connection failed, a connection (re)opened. */
export interface ConnectionStatus {
  lost(error: unknown): void;
  restored(): void;
  readonly available: boolean;
}

/**
 * One line when `name` becomes unreachable and one when it is back (with how long it was away), however
 * many clients report and however often they retry in between.
 */
export function connectionStatus(name: string, logger: OutageLogger): ConnectionStatus {
  let lostAt: number | null = null;
  return {
    lost(error) {
      if (lostAt !== null) return;
      lostAt = Date.now();
      logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        `${name} unavailable, reconnecting`,
      );
    },
    restored() {
      if (lostAt === null) return;
      logger.info({ downMs: Date.now() - lostAt }, `${name} reachable again`);
      lostAt = null;
    },
    get available() {
      return lostAt === null;
    },
  };
}

/** A connection status that says nothing (tests, callers that log elsewhere). */
export const quietConnectionStatus: ConnectionStatus = { lost() {}, restored() {}, available: true };

interface Emitter {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/**
 * Reports an ioredis client's errors and reconnects to `status`. A client also needs some 'error'
 * listener: without one ioredis prints every failed reconnect attempt to stderr.
 */
export function watchRedis<T extends Emitter>(client: T, status: ConnectionStatus): T {
  client.on("error", (error) => status.lost(error));
  client.on("ready", () => status.restored());
  return client;
}
