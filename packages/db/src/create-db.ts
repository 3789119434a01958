import { mkdirSync } from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { startEmbeddedDatabase } from "./embedded/embedded-database";
import { embeddedDialect } from "./embedded/embedded-dialect";
import { PipelinedReadDialect, pipelinedReads } from "./pipelined-reads";
import type { Database } from "./schema";
import { tenantPinnedPool } from "./tenant-pool";
import { guardedDialect } from "./transaction-guard";
import { typeParsers } from "./type-parsers";
import { registerReplica, registerTenantScope } from "./with-tenant";

export interface DbConfig {
  /** PostgreSQL URL; when absent the database is embedded PGlite under `dataDir`. */
  url?: string | undefined;
  poolSize?: number;
  /**
   * How PostgreSQL is reached: directly or through a session-mode pooler ("session", the default), or through
   * a transaction-mode pooler such as PgBouncer's `pool_mode = transaction` ("transaction"). In the latter a
   * connection may serve another client after every transaction, so nothing may outlive one: the tenant is
   * set per transaction, tenant reads run in transactions too, and no statement is prepared by name.
   */
  poolMode?: PoolMode | undefined;
  /**
   * A streaming replica for reads that tolerate lag (`readInTenant(..., { lagTolerant: true })`): analytics,
   * exports, inbox lists. Unset, those reads go to the primary.
   */
  replicaUrl?: string | undefined;
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

export type PoolMode = "session" | "transaction";

const ignoreConnection: ConnectionEvents = { lost() {}, restored() {} };

/** One pool's connections now, for the pool-usage gauges (`embedded`: PGlite's one connection). */
export interface PoolUsage {
  pool: "owner" | "tenant" | "replica" | "embedded";
  total: number;
  idle: number;
  waiting: number;
}

export interface Db {
  kysely: Kysely<Database>;
  backend: "postgres" | "pglite";
  /** Connections of each pg pool; on PGlite its one connection, and the queries queued behind it. */
  poolUsage(): PoolUsage[];
  /** Seconds the read replica's last replayed transaction is behind (null: no replica, or nothing replayed). */
  replicaLagSeconds(): Promise<number | null>;
  close(): Promise<void>;
}

function usageOf(pools: ReadonlyMap<PoolUsage["pool"], pg.Pool>): () => PoolUsage[] {
  return () =>
    [...pools].map(([pool, p]) => ({
      pool,
      total: p.totalCount,
      idle: p.idleCount,
      waiting: p.waitingCount,
    }));
}

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

function clientConfigFor(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        typeParsers[oid as keyof typeof typeParsers] ??
        pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };
}

export async function createDb(config: DbConfig): Promise<Db> {
  if (config.url) {
    const clientConfig = clientConfigFor(config.url);
    const poolConfig: pg.PoolConfig = { ...clientConfig, max: config.poolSize ?? 20 };
    const events = config.connection ?? ignoreConnection;
    const pool = watchPool(new pg.Pool(poolConfig), events);
    const pools = new Map<PoolUsage["pool"], pg.Pool>([["owner", pool]]);
    const kysely = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool })) });
    const replicaPool = config.replicaUrl
      ? watchPool(new pg.Pool({ ...clientConfigFor(config.replicaUrl), max: config.poolSize ?? 20 }), events)
      : undefined;
    if (replicaPool) pools.set("replica", replicaPool);
    const replica = replicaPool
      ? new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool: replicaPool })) })
      : undefined;
    if (replica) registerReplica(kysely, replica);
    const replicaLagSeconds = async () => {
      if (!replica) return null;
      const { rows } = await sql<{ lag: number | null }>`
        select extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as lag`.execute(replica);
      return rows[0]?.lag ?? null;
    };
    const closeAll =
      (...handles: Kysely<Database>[]) =>
      async () => {
        await Promise.all([...handles, ...(replica ? [replica] : [])].map((handle) => handle.destroy()));
      };
    // Through a transaction-mode pooler only the one pool: tenant settings are made per transaction
    // (withTenant's path without a tenant scope, as on PGlite).
    if (config.poolMode === "transaction")
      return {
        kysely,
        backend: "postgres",
        poolUsage: usageOf(pools),
        replicaLagSeconds,
        close: closeAll(kysely),
      };
    // A second pool whose connections stay pinned to a tenant (see tenant-pool.ts), beside the first for
    // work above tenants (sign-in, lookups by public key, migrations). Both open connections on demand.
    const tenantPool = watchPool(new pg.Pool(poolConfig), events);
    pools.set("tenant", tenantPool);
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
      poolUsage: usageOf(pools),
      replicaLagSeconds,
      close: closeAll(kysely, tenantKysely, readKysely),
    };
  }
  const dataDir = config.dataDir ?? ".data/pglite";
  if (!dataDir.includes("://")) mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const database = await startEmbeddedDatabase(dataDir);
  const embedded = embeddedDialect(database);
  const kysely = new Kysely<Database>({ dialect: guardedDialect(embedded.dialect) });
  return {
    kysely,
    backend: "pglite",
    poolUsage: () => {
      const { inUse, waiting } = embedded.counts();
      return [{ pool: "embedded", total: 1, idle: 1 - inUse, waiting }];
    },
    replicaLagSeconds: async () => null,
    close: async () => {
      await kysely.destroy();
      await database.close();
    },
  };
}
