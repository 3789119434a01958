import { type Database, type TransactionSettings, type Tx, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";

/**
 * A read in a tenant transaction (`withTenant`) that resolves as soon as `read` has its result: the COMMIT
 * of a transaction that only read cannot change what was read, so the caller goes on (to the next provider
 * call) while the COMMIT's round trip completes. A failing COMMIT after that only costs the connection.
 */
export function readBeforeCommit<T>(
  db: Kysely<Database>,
  tenantId: string,
  read: (tx: Tx) => Promise<T>,
  settings?: TransactionSettings,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    withTenant(
      db,
      tenantId,
      async (tx) => {
        resolve(await read(tx));
      },
      settings,
    ).catch(reject);
  });
}
