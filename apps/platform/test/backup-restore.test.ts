import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createStorage, startEmbeddedS3 } from "@avatar-chat/api/object-storage";
import { createDb, migrate, withTenant } from "@avatar-chat/db";
import { type PostgresServer, privatePrimary } from "@avatar-chat/db/test-servers";
import { createTestDatabase, seedTenantsWithChatbots, type TestDatabase } from "@avatar-chat/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const pgTool = (tool: string, args: string[]) =>
  execFileSync(path.join(PG_BIN, tool), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

// docs/deploy.md's backup and restore, done as an operator would: the roles and a custom-format dump of
// the database, restored into a new, empty PostgreSQL cluster; the object store's files copied.
describe("backups restore", () => {
  let source: TestDatabase;
  let target: PostgresServer;
  let tenants: string[];
  const work = mkdtempSync(path.join(tmpdir(), "backup-"));

  beforeAll(async () => {
    [source, target] = await Promise.all([createTestDatabase(), privatePrimary()]);
    tenants = await seedTenantsWithChatbots(source.kysely, ["a", "b"], 2);
  }, 120_000);
  afterAll(async () => {
    await source?.drop();
    await target?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("restores PostgreSQL into a new cluster with its data, migrations and row-level security", async () => {
    const dump = path.join(work, "avatar.dump");
    const roles = pgTool("pg_dumpall", ["--roles-only", "--dbname", source.url as string]);
    pgTool("pg_dump", ["--format=custom", "--file", dump, source.url as string]);
    // Roles are the cluster's: the tenant role row-level security applies to comes from the roles dump.
    execFileSync(path.join(PG_BIN, "psql"), ["--quiet", "--dbname", target.url], { input: roles });
    pgTool("createdb", ["--maintenance-db", target.url, "avatar"]);
    pgTool("pg_restore", ["--dbname", target.urlFor("avatar"), "--exit-on-error", "--no-owner", dump]);

    const restored = await createDb({ url: target.urlFor("avatar"), poolSize: 2 });
    try {
      expect(await migrate(restored.kysely)).toEqual([]);
      const names = await withTenant(restored.kysely, tenants[0] as string, (tx) =>
        tx.selectFrom("chatbots").select("name").orderBy("name").execute(),
      );
      // Without a tenant filter in the query: the policies came back with the data.
      expect(names.map((row) => row.name)).toEqual(["a bot 0", "a bot 1"]);
    } finally {
      await restored.close();
    }
  });

  it("restores the embedded object store from a copy of its directory", async () => {
    const options = {
      bucket: "avatar-chat",
      allowedOrigins: [],
      secretAccessKey: randomBytes(16).toString("hex"),
    };
    const live = path.join(work, "s3");
    const first = await startEmbeddedS3({ ...options, directory: live });
    const storage = createStorage(first.config);
    await storage.ensureBucket();
    await storage.put("tenants/a/knowledge/one", "Delivery to Norway takes 3 working days.", "text/markdown");
    await first.stop();
    const copy = path.join(work, "s3-restored");
    cpSync(live, copy, { recursive: true });
    const second = await startEmbeddedS3({ ...options, directory: copy });
    try {
      const restored = createStorage(second.config);
      expect(Buffer.from(await restored.get("tenants/a/knowledge/one")).toString()).toContain("Norway");
    } finally {
      await second.stop();
    }
  });
});
