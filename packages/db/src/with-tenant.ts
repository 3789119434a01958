import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema";
import { TENANT_ROLE } from "./tenant-role";

export type Tx = Transaction<Database>;

/** Transaction-local settings (name → value), e.g. a search's `hnsw.ef_search`. */
export type TransactionSettings = Readonly<Record<string, string>>;

/**
 * Runs `fn` in a transaction fixed to one tenant: the role switches to one that row-level security
 * applies to, and `app.tenant_id` selects the tenant. Both settings end with the transaction. `settings`
 * are set in the same statement: one round trip fewer than setting them inside `fn`.
 */
export function withTenant<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  settings: TransactionSettings = {},
): Promise<T> {
  const extra = Object.entries(settings).map(([name, value]) => sql`, set_config(${name}, ${value}, true)`);
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${TENANT_ROLE}, true)${sql.join(extra, sql``)}`.execute(
      tx,
    );
    return fn(tx);
  });
}
