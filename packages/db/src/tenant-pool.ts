import { AsyncLocalStorage } from "node:async_hooks";
import type { PostgresPool } from "kysely";
import type pg from "pg";
import { nameStatements } from "./prepared-statements";
import { TENANT_ROLE } from "./tenant-role";

/** The tenant the code running now asked for (set by `withTenant`/`readInTenant` around a query). */
export const requestedTenant = new AsyncLocalStorage<string>();

/**
 * The pool tenant-scoped work runs on. Its connections run as the role row-level security applies to,
 * with `app.tenant_id` set at session level and remembered per connection, so a connection that served
 * the same tenant last time needs no setup round trip; one that served another tenant is switched
 * before it is handed out. A failed switch destroys the connection instead of returning it to the pool.
 * Only this pool's connections ever carry a tenant setting, and every hand-out checks it. Its
 * connections also prepare the statements they run (prepared-statements.ts).
 */
export function tenantPinnedPool(pool: pg.Pool): PostgresPool {
  // The tenant each of this pool's connections carries, gone with the connection.
  const pinned = new WeakMap<pg.PoolClient, string>();
  return {
    // Kysely's driver reads these two for query cancellation.
    get options() {
      return pool.options;
    },
    get Client() {
      return (pool as unknown as Required<PostgresPool>).Client;
    },
    async connect(): Promise<pg.PoolClient> {
      const tenantId = requestedTenant.getStore();
      if (!tenantId) throw new Error("The tenant pool was used outside withTenant/readInTenant.");
      const client = await pool.connect();
      nameStatements(client);
      if (pinned.get(client) === tenantId) return client;
      pinned.delete(client);
      try {
        await client.query("select set_config('role', $1, false), set_config('app.tenant_id', $2, false)", [
          TENANT_ROLE,
          tenantId,
        ]);
      } catch (error) {
        client.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      pinned.set(client, tenantId);
      return client;
    },
    end: () => pool.end(),
  };
}
