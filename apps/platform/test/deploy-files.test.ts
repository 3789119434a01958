import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../../..");
const composeFile = path.join(root, "docker-compose.yml");
const dclint = path.resolve(import.meta.dirname, "../node_modules/.bin/dclint");

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  restart?: string;
  healthcheck?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(composeFile, "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
};
const platformRoles = ["api", "worker", "realtime"];

function lint(file: string) {
  return spawnSync(dclint, ["-c", path.join(root, ".dclintrc"), file], { encoding: "utf8" });
}

// No Docker engine here: the compose file is checked against the Compose Specification's JSON schema
// (dclint bundles it) and against what the platform needs from it.
describe("docker-compose.yml", () => {
  it("validates against the Compose Specification", () => {
    const result = lint(composeFile);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    // The validator itself refuses what the schema does not allow.
    const broken = path.join(tmpdir(), `compose-${process.pid}.yml`);
    writeFileSync(broken, readFileSync(composeFile, "utf8").replace('restart: "no"', 'restartt: "no"'));
    expect(lint(broken).stdout).toMatch(/invalid-schema/);
  });

  it("pins every pulled image by version and pulls nothing deleted", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.image || service.build) continue; // built here from the Dockerfile
      expect(service.image, name).toMatch(/:[^:]*\d[^:]*$/);
      expect(service.image, name).not.toMatch(/:latest$|minio/);
    }
    expect(readFileSync(composeFile, "utf8")).not.toMatch(/minio/i);
  });

  it("migrates once before any role starts, and gives every long-running service a health check", () => {
    expect(compose.services.migrate?.restart).toBe("no");
    expect(compose.services.migrate?.command).toEqual(["node", "apps/platform/dist/migrate.js"]);
    for (const role of platformRoles) {
      const service = compose.services[role] as Service;
      expect(service.depends_on?.migrate?.condition, role).toBe("service_completed_successfully");
      expect(service.environment?.PLATFORM_ROLES, role).toBe(role);
      expect(service.environment?.MIGRATE_ON_START, role).toBe("false");
    }
    for (const [name, service] of Object.entries(compose.services))
      if (name !== "migrate") expect(service.healthcheck, name).toBeDefined();
  });

  it("carries the fleet's topology: PgBouncer in transaction mode, a PostgreSQL replica, Redis behind Sentinel", () => {
    const env = compose.services.api?.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/@pgbouncer:/);
    expect(env.DATABASE_POOL_MODE).toBe("transaction");
    expect(env.DATABASE_REPLICA_URL).toMatch(/@postgres-replica:/);
    expect(env.REDIS_URL).toBeUndefined();
    const sentinels = (env.REDIS_SENTINELS ?? "").split(",");
    expect(sentinels).toHaveLength(3);
    for (const address of sentinels) expect(compose.services[address.split(":")[0]!], address).toBeDefined();
    expect(compose.services.pgbouncer?.environment?.POOL_MODE).toBe("transaction");
    expect(compose.services["redis-replica"]?.command).toContain("--replicaof");
    // The migration changes the schema on the primary itself.
    expect(compose.services.migrate?.environment?.DATABASE_URL).toMatch(/@postgres:/);
  });

  it("presigns for an address browsers reach and trusts only the balancer's network", () => {
    const env = compose.services.api?.environment ?? {};
    expect(env.S3_PUBLIC_ENDPOINT).toMatch(/^http:\/\/localhost:/);
    expect(env.S3_ENDPOINT).not.toBe(env.S3_PUBLIC_ENDPOINT);
    expect(env.TRUSTED_PROXIES).toBe(compose.networks.platform?.ipam.config[0]?.subnet);
  });
});

describe("the image and the balancer", () => {
  it("runs compiled JavaScript with node, as a non-root user", () => {
    const stages = readFileSync(path.join(root, "Dockerfile"), "utf8").split(/^FROM /m);
    const runtime = stages.at(-1) ?? "";
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "apps\/platform\/dist\/main.js"\]$/m);
    expect(runtime).not.toMatch(/pnpm|tsx/);
  });

  it("has a HAProxy configuration that HAProxy accepts", () => {
    const result = spawnSync("haproxy", ["-c", "-f", path.join(root, "deploy/haproxy.cfg")], {
      encoding: "utf8",
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
