import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type { EmbeddedDatabase } from "./embedded-database";

/** Connections the driver has handed out and callers still waiting for one. */
export interface ConnectionCounts {
  inUse: number;
  waiting: number;
}

function connectionTo(database: EmbeddedDatabase): DatabaseConnection {
  const execute = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const { rows, affectedRows } = await database.query(query.sql, query.parameters);
    return {
      rows: rows as R[],
      ...(affectedRows ? { numAffectedRows: BigInt(affectedRows) } : {}),
    };
  };
  return {
    executeQuery: execute,
    // The thread answers with whole results, so a stream is the result in pieces.
    async *streamQuery<R>(query: CompiledQuery, chunkSize = 100) {
      const { rows } = await execute<R>(query);
      for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
    },
  };
}

/**
 * Kysely over the embedded database. It has one connection and no pool: the driver hands it to one
 * caller at a time (a transaction holds it from `begin` to `commit`) and queues the rest, and counts
 * both for the pool gauges.
 */
export function embeddedDialect(database: EmbeddedDatabase): {
  dialect: Dialect;
  counts(): ConnectionCounts;
} {
  const counts: ConnectionCounts = { inUse: 0, waiting: 0 };
  const connection = connectionTo(database);
  const queue: ((connection: DatabaseConnection) => void)[] = [];
  const run = (query: string) => connection.executeQuery(CompiledQuery.raw(query));
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      if (counts.inUse === 0) {
        counts.inUse = 1;
        return connection;
      }
      counts.waiting++;
      return new Promise((resolve) => queue.push(resolve));
    },
    async releaseConnection() {
      const next = queue.shift();
      if (!next) {
        counts.inUse = 0;
        return;
      }
      counts.waiting--;
      next(connection);
    },
    async beginTransaction(_connection, settings: TransactionSettings) {
      await run(
        settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : "begin",
      );
    },
    async commitTransaction() {
      await run("commit");
    },
    async rollbackTransaction() {
      await run("rollback");
    },
    destroy: () => database.close(),
  };
  return {
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
    counts: () => ({ ...counts }),
  };
}
