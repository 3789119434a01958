// The production topology on one machine, from the built code: PostgreSQL primary + streaming replica behind
// PgBouncer in transaction mode, Redis primary + replica + Sentinels, a one-shot migration, two api, two
// worker and two realtime processes (`node dist/main.js`, one role each) behind Debian's HAProxy running
// deploy/haproxy.cfg. Every server is private, on free ports, and removed by `stop()`.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Pooler,
  type PostgresServer,
  pgBouncer,
  privatePrimary,
  type ReplicaServer,
  streamingReplica,
} from "@avatar-chat/db/test-servers";
import { freePort, privateSentinelRedis, type SentinelRedis } from "../test/private-services";
import { haproxyConfig } from "./haproxy";

const appDir = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Role = "api" | "worker" | "realtime";

export interface RoleProcess {
  role: Role;
  name: string;
  /** Where it answers /readyz (and serves, for api and realtime). */
  port: number;
  child: ChildProcess | null;
}

export interface Fleet {
  /** Where visitors reach the platform: HAProxy. */
  url: string;
  processes: RoleProcess[];
  postgres: PostgresServer;
  replica: ReplicaServer;
  redis: SentinelRedis;
  /** SIGKILLs the process, starts it again on the same port, resolves when it is ready. */
  killAndRestart(process: RoleProcess, downMs?: number): Promise<void>;
  /** Processes that exited without being told to (a crash the schedule did not cause). */
  unexpectedExits(): string[];
  /** Where every process's output is, for a failed run. */
  logDir: string;
  stop(keepLogs?: boolean): Promise<void>;
}

async function untilReady(port: number, child: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode} while starting`);
    await sleep(100);
  }
  throw new Error(`${name} was not ready within 120 s`);
}

function runToEnd(args: string[], env: NodeJS.ProcessEnv, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] });
    const out = createWriteStream(log);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}, see ${log}`)),
    );
  });
}

export async function startFleet(options: { replicasPerRole?: number } = {}): Promise<Fleet> {
  if (!existsSync(path.join(appDir, "dist/main.js")))
    throw new Error("apps/platform/dist/main.js is missing: run `pnpm build` first");
  const logDir = mkdtempSync(path.join(tmpdir(), "fleet-"));
  const stops: Array<() => Promise<unknown>> = [];
  const processes: RoleProcess[] = [];
  const stopped = new Set<RoleProcess>();
  const exits: string[] = [];
  const stop = async () => {
    for (const p of processes) stopped.add(p);
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    const postgres = await privatePrimary({ maxConnections: 200 });
    stops.push(() => postgres.stop());
    execFileSync(path.join(process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin", "createdb"), [
      ...["-h", "127.0.0.1", "-p", String(postgres.port), "-U", "postgres", "fleet"],
    ]);
    const replica = await streamingReplica(postgres, { maxConnections: 200 });
    stops.push(() => replica.stop());
    const pooler: Pooler = await pgBouncer(postgres.url, "transaction", 20);
    stops.push(() => pooler.stop());
    const redis = await privateSentinelRedis();
    stops.push(() => redis.stop());

    const proxyPort = await freePort();
    const url = `http://127.0.0.1:${proxyPort}`;
    const shared: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_SECRET: randomBytes(32).toString("hex"),
      PUBLIC_URL: url,
      TRUSTED_PROXIES: "127.0.0.1",
      DATABASE_URL: pooler.urlFor(postgres.urlFor("fleet")),
      DATABASE_POOL_MODE: "transaction",
      DATABASE_POOL_SIZE: "8",
      DATABASE_REPLICA_URL: replica.urlFor("fleet"),
      ...redis.env,
      REDIS_PREFIX: `fleet${randomBytes(3).toString("hex")}:`,
      MIGRATE_ON_START: "false",
      LOG_LEVEL: "info",
    };
    // The one-shot migration goes to the primary itself, as the compose file's `migrate` service does.
    await runToEnd(
      ["dist/migrate.js"],
      { ...shared, DATABASE_URL: postgres.urlFor("fleet") },
      path.join(logDir, "migrate.log"),
    );

    const count = options.replicasPerRole ?? 2;
    for (const role of ["api", "worker", "realtime"] as const)
      for (let i = 1; i <= count; i++)
        processes.push({ role, name: `${role}${i}`, port: await freePort(), child: null });

    const launch = async (p: RoleProcess) => {
      const portSetting = { api: "API_PORT", worker: "HEALTH_PORT", realtime: "REALTIME_PORT" }[p.role];
      const dataDir = path.join(logDir, `${p.name}-data`);
      const child = spawn(process.execPath, ["dist/main.js"], {
        cwd: appDir,
        env: { ...shared, PLATFORM_ROLES: p.role, [portSetting]: String(p.port), DATA_DIR: dataDir },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out = createWriteStream(path.join(logDir, `${p.name}.log`), { flags: "a" });
      child.stdout?.pipe(out);
      child.stderr?.pipe(out);
      p.child = child;
      child.once("exit", (code, signal) => {
        if (!stopped.has(p) && p.child === child) exits.push(`${p.name} exited (${code ?? signal})`);
      });
      await untilReady(p.port, child, p.name);
    };
    const kill = (p: RoleProcess, signal: NodeJS.Signals) =>
      new Promise<void>((resolve) => {
        const child = p.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    stops.push(async () => {
      await Promise.all(processes.map((p) => kill(p, "SIGTERM")));
    });
    // api first (realtime's and the worker's start needs nothing of it, but the proxy checks all at once).
    await Promise.all(processes.map(launch));

    const cfg = path.join(logDir, "haproxy.cfg");
    writeFileSync(
      cfg,
      haproxyConfig({
        port: proxyPort,
        api: processes.filter((p) => p.role === "api").map((p) => p.port),
        realtime: processes.filter((p) => p.role === "realtime").map((p) => p.port),
      }),
    );
    const haproxy = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
    const haproxyLog = createWriteStream(path.join(logDir, "haproxy.log"));
    haproxy.stdout.pipe(haproxyLog);
    haproxy.stderr.pipe(haproxyLog);
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          if (haproxy.exitCode !== null) return resolve();
          haproxy.once("exit", () => resolve());
          haproxy.kill("SIGTERM");
        }),
    );
    // Ready when the proxy routes to a ready api.
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error(`HAProxy did not route within 30 s, see ${logDir}/haproxy.log`);
      await sleep(100);
    }

    return {
      url,
      processes,
      postgres,
      replica,
      redis,
      logDir,
      async killAndRestart(p, downMs = 1_000) {
        stopped.add(p);
        await kill(p, "SIGKILL");
        await sleep(downMs);
        stopped.delete(p);
        await launch(p);
      },
      unexpectedExits: () => [...exits],
      async stop(keepLogs = false) {
        await stop();
        if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stop();
    throw new Error(`the fleet did not start (logs in ${logDir}): ${String(error)}`, { cause: error });
  }
}
