import { closeCodes } from "@avatar-chat/protocol";
import type { Logger } from "@avatar-chat/telemetry";
import type { Principal } from "./access";
import { type Connection, inSocketScope } from "./connection";
import { createExpirySchedule } from "./expiry-schedule";
import type { ServerStats } from "./server-stats";

/** A renewal that failed (database unreachable) is tried again this much later; the socket stays open. */
const renewRetrySeconds = 30;

export interface CredentialExpiryDeps {
  renew: ((principal: Principal) => Promise<number | null>) | undefined;
  closeConnection(conn: Connection, code: number, reason: string): void;
  stats: ServerStats;
  logger: Logger;
}

/** Credential expiry: one schedule for all sockets (no timer per socket). A due socket is renewed or closed with 4001. */
export function createCredentialExpiry({ renew, closeConnection, stats, logger }: CredentialExpiryDeps) {
  const schedule = createExpirySchedule<Connection>(due);

  function file(conn: Connection, expiresAt: number): void {
    conn.expiresAt = expiresAt;
    schedule.add(conn, expiresAt);
  }

  function expire(conn: Connection): void {
    stats.counters.expiredCloses++;
    closeConnection(conn, closeCodes.unauthorized, "credentials expired");
  }

  function due(conn: Connection): void {
    conn.expiresAt = 0; // the schedule has let go of it
    if (conn.closing) return;
    if (!renew) {
      expire(conn);
      return;
    }
    inSocketScope(conn, () => renewOrExpire(conn, renew));
  }

  function renewOrExpire(conn: Connection, renew: (principal: Principal) => Promise<number | null>): void {
    renew(conn.principal).then(
      (expiresAt) => {
        if (conn.closing) return;
        if (expiresAt === null || expiresAt * 1000 <= Date.now()) expire(conn);
        else file(conn, expiresAt);
      },
      (error: unknown) => {
        logger.warn({ err: error }, "realtime credential renewal failed, retrying");
        if (!conn.closing) file(conn, Math.floor(Date.now() / 1000) + renewRetrySeconds);
      },
    );
  }

  /** Takes the socket off the schedule (it closed). */
  function unfile(conn: Connection): void {
    if (conn.expiresAt) schedule.delete(conn, conn.expiresAt);
  }

  return {
    file,
    unfile,
    /** Renews or closes the socket now instead of at its filed second. */
    checkNow(conn: Connection): void {
      unfile(conn);
      due(conn);
    },
    close: () => schedule.close(),
    get size() {
      return schedule.size;
    },
  };
}

export type CredentialExpiry = ReturnType<typeof createCredentialExpiry>;
