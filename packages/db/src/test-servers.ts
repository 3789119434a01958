// Real servers for tests that need a topology of their own: a private PostgreSQL primary with a streaming
// replica, and PgBouncer in transaction mode. The machine's shared PostgreSQL is never stopped or changed.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** The kernel's range for `listen(0)` and outgoing connections (Linux's default where it cannot be read). */
function ephemeralRangeStart(): number {
  try {
    return (
      Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768
    );
  } catch {
    return 32768;
  }
}

const handedOut = new Set<number>();

/**
 * A port nothing listens on, chosen below the kernel's ephemeral range: a port the kernel picked for
 * `listen(0)` could be picked again, before the server meant for it starts, for another process's
 * `listen(0)` or outgoing connection (the fleet lost a realtime role to an embedded store's port so).
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, () => server.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
}

/** PostgreSQL and PgBouncer refuse to run as root: as root, they run as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...(serverUser() ?? {}) });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited ${code}: ${stderr}`)),
    );
  });
}

/** A directory the server user owns, removed by the returned function. */
function serverDirectory(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PostgresServer {
  /** URL of the `postgres` database; `urlFor(name)` for another. */
  url: string;
  port: number;
  urlFor(database: string): string;
  /** Stops the server (fast shutdown: sessions are terminated), waits `downMs`, starts it again. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterOptions {
  maxConnections?: number;
}

function startCluster(dir: string, data: string, port: number, options: ClusterOptions = {}): Promise<void> {
  const settings = `-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${options.maxConnections ?? 100}`;
  return run(path.join(PG_BIN, "pg_ctl"), [
    "-D",
    data,
    "-w",
    "-l",
    path.join(dir, "server.log"),
    "-o",
    `-p ${port} -k ${dir} ${settings}`,
    "start",
  ]);
}

function serverAt(
  port: number,
  dir: string,
  data: string,
  remove: () => void,
  options: ClusterOptions = {},
): PostgresServer {
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor("postgres"),
    port,
    urlFor,
    async restart(downMs = 0) {
      await run(path.join(PG_BIN, "pg_ctl"), ["-D", data, "-w", "-m", "fast", "stop"]);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await startCluster(dir, data, port, options);
    },
    async stop() {
      await run(path.join(PG_BIN, "pg_ctl"), ["-D", data, "-w", "-m", "immediate", "stop"]).catch(() => {});
      remove();
    },
  };
}

/** A throwaway primary from the system's PostgreSQL 15 binaries (pgvector included), ready to be replicated. */
export async function privatePrimary(options: ClusterOptions = {}): Promise<PostgresServer> {
  const { dir, remove } = serverDirectory("pg-primary");
  const data = path.join(dir, "data");
  const port = await freePort();
  await run(path.join(PG_BIN, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  await startCluster(dir, data, port, options);
  return serverAt(port, dir, data, remove, options);
}

export interface ReplicaServer extends PostgresServer {
  /** Stops applying the primary's changes (what a lagging replica looks like), or resumes. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
}

/**
 * A streaming replica of `primary`, made with pg_basebackup as an operator would. A replica refuses to
 * start with fewer `maxConnections` than its primary has.
 */
export async function streamingReplica(
  primary: PostgresServer,
  options: ClusterOptions = {},
): Promise<ReplicaServer> {
  const { dir, remove } = serverDirectory("pg-replica");
  const data = path.join(dir, "data");
  const port = await freePort();
  await run(path.join(PG_BIN, "pg_basebackup"), [
    "-D",
    data,
    "-h",
    "127.0.0.1",
    "-p",
    String(primary.port),
    "-U",
    "postgres",
    "--no-sync",
    "--checkpoint=fast", // a spread checkpoint can keep an idle primary's backup waiting for minutes
    "-R", // writes standby.signal and the primary's connection info
    "-X",
    "stream",
  ]);
  await startCluster(dir, data, port, options);
  const server = serverAt(port, dir, data, remove, options);
  const sql = async (text: string) => {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    ...server,
    pauseReplay: () => sql("select pg_wal_replay_pause()"),
    resumeReplay: () => sql("select pg_wal_replay_resume()"),
  };
}

export interface Pooler {
  /** `url` of the PostgreSQL database `database`, reached through the pooler. */
  urlFor(url: string): string;
  stop(): Promise<void>;
}

/**
 * Debian's PgBouncer in front of the PostgreSQL at `upstream`, in `mode` (transaction by default), with
 * `poolSize` server connections per database and user (few by default, so clients really share them).
 */
export async function pgBouncer(
  upstream: string,
  mode: "transaction" | "session" = "transaction",
  poolSize = 3,
): Promise<Pooler> {
  const { dir, remove } = serverDirectory("pgbouncer");
  const port = await freePort();
  const target = new URL(upstream);
  const ini = path.join(dir, "pgbouncer.ini");
  writeFileSync(path.join(dir, "users.txt"), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      `pool_mode = ${mode}`,
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 500",
      // After PostgreSQL restarts, try logging in again within a second (the default waits 15 s).
      "server_login_retry = 1",
      "ignore_startup_parameters = extra_float_digits,options",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  for (const file of ["users.txt", "pgbouncer.ini"]) chmodSync(path.join(dir, file), 0o644);
  await run("pgbouncer", ["-d", ini]);
  for (let i = 0; i < 100; i++) {
    if (await accepts(port)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    urlFor(url) {
      const through = new URL(url);
      through.host = `127.0.0.1:${port}`;
      return through.toString();
    },
    async stop() {
      await run("pkill", ["-F", path.join(dir, "pgbouncer.pid")]).catch(() => {});
      remove();
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
