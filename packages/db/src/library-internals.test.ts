import { Socket } from "node:net";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { nameStatements } from "./prepared-statements";
import { TEST_DATABASE_URL } from "./testing";

// Canaries for the pg internals db/src relies on (pg is pinned exactly in pnpm-workspace.yaml's
// catalog). Each failure names the internal an upgrade changed and the file that uses it.
describe("pg internals the code relies on", () => {
  const clients: pg.Client[] = [];
  const connect = async (config: pg.ClientConfig = {}) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, ...config });
    clients.push(client);
    await client.connect();
    return client;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})));
  });

  it("client.connection.stream is the connection's net.Socket (pipelined-reads.ts corks it)", async () => {
    const client = await connect({ pipeline: true } as pg.ClientConfig);
    const stream = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
    expect(
      stream instanceof Socket,
      "pg internal changed: client.connection.stream is no longer a net.Socket",
    ).toBe(true);
  });

  it("a replaced client.query is what runs, and pg prepares a { name, text, values } query (prepared-statements.ts)", async () => {
    const client = await connect();
    nameStatements(client);
    await client.query("select $1::int as one", [1]);
    const prepared = await client.query<{ name: string }>(
      "select name from pg_prepared_statements where statement = 'select $1::int as one'",
    );
    expect(
      prepared.rows.length,
      "pg internal changed: a client.query replaced on the instance no longer names statements (nameStatements)",
    ).toBe(1);
  });

  it("pg.Pool carries the Client class it connects with (tenant-pool.ts hands it to Kysely)", () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    const Client = (pool as unknown as { Client?: { prototype?: { query?: unknown } } }).Client;
    expect(typeof Client?.prototype?.query, "pg internal changed: pg.Pool's Client property is gone").toBe(
      "function",
    );
  });
});
