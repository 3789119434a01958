import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema";
import { TENANT_ROLE } from "./tenant-role";

export type Tx = Transaction<Database>;

/**
 * Runs `fn` in a transaction fixed to one tenant: the role switches to one that row-level security
 * applies to, and `app.tenant_id` selects the tenant. Both settings end with the transaction.
 */
export function withTenant<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${TENANT_ROLE}, true)`.execute(
      tx,
    );
    return fn(tx);
  });
}
