import type { DatabaseConnection, Dialect, Driver } from "kysely";

/** Connections a driver has handed out and callers still waiting for one. */
export interface ConnectionCounts {
  inUse: number;
  waiting: number;
}

/**
 * `dialect` whose driver counts its connections: the embedded database has one connection and no pool
 * (its driver queues every other caller behind the holder), so this is its pool gauge.
 */
export function countedDialect(dialect: Dialect): { dialect: Dialect; counts(): ConnectionCounts } {
  const counts: ConnectionCounts = { inUse: 0, waiting: 0 };
  const counted = (driver: Driver): Driver => {
    const acquireConnection = async (): Promise<DatabaseConnection> => {
      counts.waiting++;
      try {
        const connection = await driver.acquireConnection();
        counts.inUse++;
        return connection;
      } finally {
        counts.waiting--;
      }
    };
    const releaseConnection = async (connection: DatabaseConnection): Promise<void> => {
      counts.inUse--;
      await driver.releaseConnection(connection);
    };
    return new Proxy(driver, {
      get(target, property) {
        if (property === "acquireConnection") return acquireConnection;
        if (property === "releaseConnection") return releaseConnection;
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  return {
    dialect: {
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createDriver: () => counted(dialect.createDriver()),
    },
    counts: () => ({ ...counts }),
  };
}
