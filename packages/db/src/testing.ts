import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import pg from "pg";
import { createDb, type Db, type PoolMode } from "./create-db";
import { migrate } from "./migrate";
import type { Database } from "./schema";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type TestBackend = Db["backend"];

export interface TestDatabaseOptions {
  migrate?: boolean;
  backend?: TestBackend;
  /** PostgreSQL only: the URL the platform connects to instead (a pooler in front), and its mode. */
  connectThrough?: (url: string) => string;
  poolMode?: PoolMode;
}

export interface TestDatabase extends Db {
  /** The PostgreSQL URL; absent on the embedded database. */
  url?: string;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, dropped afterwards: PostgreSQL by default, or the
 * embedded PGlite (in memory, one connection) that `pnpm start` uses when no database is configured.
 */
export async function createTestDatabase(
  options?: TestDatabaseOptions & { backend?: "postgres" },
): Promise<TestDatabase & { url: string }>;
export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase>;
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  if (options.backend === "pglite") {
    const db = await createDb({ dataDir: "memory://" });
    if (options.migrate !== false) await migrate(db.kysely);
    return { ...db, drop: () => db.close() };
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create database ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = await createDb({
    url: options.connectThrough?.(url) ?? url,
    poolSize: 10,
    poolMode: options.poolMode,
  });
  if (options.migrate !== false) await migrate(db.kysely);
  return {
    ...db,
    url,
    drop: async () => {
      await db.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Tenants named `names`, each with chatbots named `<tenant> bot 0`, `<tenant> bot 1`, …; their ids in order. */
export async function seedTenantsWithChatbots(
  db: Kysely<Database>,
  names: readonly string[],
  chatbotsEach: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const { id } = await db
      .insertInto("tenants")
      .values({ name, slug: `${name}-${randomBytes(3).toString("hex")}` })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.push(id);
    if (chatbotsEach === 0) continue;
    await db
      .insertInto("chatbots")
      .values(
        Array.from({ length: chatbotsEach }, (_, n) => ({
          tenant_id: id,
          name: `${name} bot ${n}`,
          public_key: `pk_${randomBytes(8).toString("hex")}`,
          avatar: "{}",
          theme: "{}",
        })),
      )
      .execute();
  }
  return ids;
}
