import { AsyncLocalStorage } from "node:async_hooks";
import type { DatabaseConnection, Dialect, Driver, Kysely, Transaction } from "kysely";

/**
 * Code running inside a transaction must use that transaction. Asking any handle of the database for a
 * second connection meanwhile waits forever on PGlite, whose one connection the transaction holds (the
 * embedded default froze this way), and on PostgreSQL it takes a second pooled connection per request,
 * which can exhaust the pool the same way under load. So the request fails at once, in every mode.
 */
export class SecondConnectionError extends Error {
  constructor() {
    super(
      "A query asked for a second database connection while this code's transaction holds one " +
        "(on the embedded database it would wait forever). Use the transaction, or query before or after it.",
    );
    this.name = "SecondConnectionError";
  }
}

/** The transaction the running code is inside of; `open` turns false once its callback has finished. */
const heldTransaction = new AsyncLocalStorage<{ open: boolean }>();

/** `db.transaction().execute(fn)`, with `fn` marked as holding the connection (see SecondConnectionError). */
export function runTransaction<DB, T>(db: Kysely<DB>, fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const held = { open: true };
    try {
      return await heldTransaction.run(held, () => fn(tx));
    } finally {
      // Work started inside the callback but still running after the commit may query freely.
      held.open = false;
    }
  });
}

/** `dialect` whose driver refuses a new connection to code inside one of `runTransaction`'s callbacks. */
export function guardedDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => guardedDriver(dialect.createDriver()),
  };
}

function guardedDriver(driver: Driver): Driver {
  const acquireConnection = (): Promise<DatabaseConnection> => {
    if (heldTransaction.getStore()?.open) return Promise.reject(new SecondConnectionError());
    return driver.acquireConnection();
  };
  return new Proxy(driver, {
    get(target, property) {
      if (property === "acquireConnection") return acquireConnection;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
