import { type Kysely, sql, type Transaction } from "kysely";
import { isStalePlanError } from "./prepared-statements";
import type { Database } from "./schema";
import { requestedTenant } from "./tenant-pool";
import { TENANT_ROLE } from "./tenant-role";
import { runTransaction } from "./transaction-guard";

export type Tx = Transaction<Database>;

/** Transaction-local settings (name → value), e.g. a search's `hnsw.ef_search`. */
export type TransactionSettings = Readonly<Record<string, string>>;

declare const pinnedBrand: unique symbol;
/** A connection fixed to one tenant outside a transaction: each statement commits on its own. */
export type TenantConnection = Kysely<Database> & { readonly [pinnedBrand]: true };
/** Where tenant-scoped reads may run: a tenant transaction or a tenant connection. */
export type TenantReader = Tx | TenantConnection;

/** The tenant-scoped handles of a PostgreSQL database: see tenant-pool.ts and pipelined-reads.ts. */
interface TenantScope {
  transactions: Kysely<Database>;
  reads: Kysely<Database>;
}
// Registered per handle by createDb, so withTenant(db, …) needs nothing but the handle callers already pass;
// an entry lives and dies with its handle.
const tenantScoped = new WeakMap<Kysely<Database>, TenantScope>();

export function registerTenantScope(db: Kysely<Database>, scope: TenantScope): void {
  tenantScoped.set(db, scope);
}

/** The streaming replica of a database's primary, for reads that tolerate lag (create-db.ts). */
// Registered per handle by createDb, as the tenant scope above.
const replicas = new WeakMap<Kysely<Database>, Kysely<Database>>();

export function registerReplica(db: Kysely<Database>, replica: Kysely<Database>): void {
  replicas.set(db, replica);
}

/** A transaction on `db` that sets the tenant (and `local` settings) for itself alone. */
function inTenantTransaction<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  local: ReturnType<typeof sql>[],
): Promise<T> {
  return runTransaction(db, async (tx) => {
    await sql`select ${sql.join([
      sql`set_config('app.tenant_id', ${tenantId}, true)`,
      sql`set_config('role', ${TENANT_ROLE}, true)`,
      ...local,
    ])}`.execute(tx);
    return fn(tx);
  });
}

/**
 * Runs `fn` in a transaction fixed to one tenant: it runs as the role row-level security applies to,
 * with `app.tenant_id` naming the tenant. On PostgreSQL the transaction runs on a connection of the
 * tenant pool that already carries those settings; elsewhere (PGlite) they are set for this transaction.
 * `settings` are transaction-local, set in one statement (with the tenant's where those are set here).
 */
export function withTenant<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  settings: TransactionSettings = {},
): Promise<T> {
  const local = Object.entries(settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  const scoped = tenantScoped.get(db);
  if (scoped) {
    return requestedTenant.run(tenantId, () =>
      runTransaction(scoped.transactions, async (tx) => {
        if (local.length > 0) await sql`select ${sql.join(local)}`.execute(tx);
        return fn(tx);
      }),
    );
  }
  return inTenantTransaction(db, tenantId, fn, local);
}

/**
 * Runs read-only `fn` fixed to one tenant without a transaction (no BEGIN/COMMIT round trips): for
 * short statements that need no common snapshot. On PostgreSQL its statements share pipelined
 * connections with other requests' (pipelined-reads.ts), so a slow statement here delays the ones behind
 * it: long reads belong in `withTenant`. Falls back to `withTenant` where no tenant pool exists (PGlite, a
 * transaction-mode pooler). With `lagTolerant` it reads from the replica where one is configured: for
 * reads that may trail the latest writes by the replica's lag (analytics, exports, inbox lists), never a
 * read of what the same request or the one before it wrote.
 */
export function readInTenant<T>(
  db: Kysely<Database>,
  tenantId: string,
  fn: (reader: TenantReader) => Promise<T>,
  options: { lagTolerant?: boolean } = {},
): Promise<T> {
  const replica = options.lagTolerant ? replicas.get(db) : undefined;
  if (replica) return inTenantTransaction(replica, tenantId, fn, []);
  const scoped = tenantScoped.get(db);
  if (!scoped) return withTenant(db, tenantId, fn);
  const read = () =>
    requestedTenant.run(tenantId, () =>
      scoped.reads.connection().execute((connection) => fn(connection as TenantConnection)),
    );
  return readAgainIfStale(read);
}

// After a migration changed a statement's result columns, each pooled connection that prepared it refuses
// it once (and forgets its names). A read is simply run again; writes (`withTenant`) are not repeated,
// since their work may not be the database's alone: they fail once per connection after such a migration.
const MAX_STALE_RETRIES = 64;

async function readAgainIfStale<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isStalePlanError(error) || attempt >= MAX_STALE_RETRIES) throw error;
    }
  }
}
