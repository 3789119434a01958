import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { PipelinedReadDialect, pipelinedReads } from "./pipelined-reads";
import type { Database } from "./schema";
import { tenantPinnedPool } from "./tenant-pool";
import { guardedDialect } from "./transaction-guard";
import { registerTenantScope } from "./with-tenant";

export interface DbConfig {
  /** PostgreSQL URL; when absent the database is embedded PGlite under `dataDir`. */
  url?: string | undefined;
  poolSize?: number;
  /** Connections shared by tenant reads in pipeline mode (pipelined-reads.ts). */
  readConnections?: number;
  /** A tenant read running longer is cancelled (it would hold up the reads sent behind it). */
  readTimeoutMs?: number;
  /** Directory for the embedded database; `"memory://"` keeps it in memory. */
  dataDir?: string;
  /** Told when a connection to PostgreSQL breaks or fails to open, and when one opens (outage logging). */
  connection?: ConnectionEvents;
}

/** Structural, so db imports nothing of ours: `connectionStatus` from @avatar-chat/config fits. */
export interface ConnectionEvents {
  lost(error: unknown): void;
  restored(): void;
}

const ignoreConnection: ConnectionEvents = { lost() {}, restored() {} };

export interface Db {
  kysely: Kysely<Database>;
  backend: "postgres" | "pglite";
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
// Counts and byte sizes stay far below 2^53, so int8 reads as a number; dates stay ISO strings
// (no time-zone shift). Both backends parse the same way so code never branches on the backend.
const parsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v };

/**
 * A connection dropped by the server (restart, failover, a test dropping its database) fails what runs on
 * it and is replaced on next use. pg emits 'error' on the client, and on an idle one the pool forwards it;
 * a client that is checked out has no listener of the pool's, so without its own the process would exit.
 */
function watchPool(pool: pg.Pool, events: ConnectionEvents): pg.Pool {
  pool.on("error", events.lost);
  pool.on("connect", (client) => {
    client.on("error", events.lost);
    events.restored();
  });
  return pool;
}

export async function createDb(config: DbConfig): Promise<Db> {
  if (config.url) {
    const clientConfig: pg.ClientConfig = {
      connectionString: config.url,
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          parsers[oid as keyof typeof parsers] ??
          pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    };
    const poolConfig: pg.PoolConfig = { ...clientConfig, max: config.poolSize ?? 20 };
    // Two pools: one for work above tenants (sign-in, lookups by public key, migrations) and one whose
    // connections stay pinned to a tenant (see tenant-pool.ts). Both open connections only on demand.
    const events = config.connection ?? ignoreConnection;
    const pool = watchPool(new pg.Pool(poolConfig), events);
    const tenantPool = watchPool(new pg.Pool(poolConfig), events);
    const kysely = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool })) });
    const tenantKysely = new Kysely<Database>({
      dialect: guardedDialect(new PostgresDialect({ pool: tenantPinnedPool(tenantPool) })),
    });
    const readKysely = new Kysely<Database>({
      dialect: guardedDialect(
        new PipelinedReadDialect(
          pipelinedReads(clientConfig, {
            lanes: config.readConnections ?? 4,
            statementTimeoutMs: config.readTimeoutMs ?? 5_000,
            connection: events,
          }),
        ),
      ),
    });
    registerTenantScope(kysely, { transactions: tenantKysely, reads: readKysely });
    return {
      kysely,
      backend: "postgres",
      close: async () => {
        await Promise.all([kysely.destroy(), tenantKysely.destroy(), readKysely.destroy()]);
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite/vector");
  const dataDir = config.dataDir ?? ".data/pglite";
  if (!dataDir.includes("://")) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const client = await PGlite.create(dataDir, { extensions: { vector }, parsers });
  const kysely = new Kysely<Database>({ dialect: guardedDialect(new PGliteDialect(client)) });
  return {
    kysely,
    backend: "pglite",
    close: async () => {
      await kysely.destroy();
      if (!client.closed) await client.close();
    },
  };
}
