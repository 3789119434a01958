// Private PostgreSQL and Redis servers for outage tests: the machine's shared ones are never stopped.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SentinelAddress } from "@avatar-chat/config";
import { freePort, type PostgresServer, privatePrimary } from "@avatar-chat/db/test-servers";
import { Redis } from "ioredis";
import { answersPing } from "../src/embedded/redis";

export { freePort };

export type PrivatePostgres = PostgresServer;

/** A throwaway cluster from the system's PostgreSQL 15 binaries (pgvector included) on a free port. */
export const privatePostgres = () => privatePrimary({ maxConnections: 200 });

export interface PrivateRedis {
  url: string;
  /** SIGKILL, wait `downMs`, start again from the append-only file on the same port. */
  crashAndRestart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process of ours, stopped with SIGKILL (what a crash looks like) and waited for. */
async function spawnServer(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: "ignore" });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => resolve());
  });
  return child;
}

async function kill(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGKILL");
  });
}

async function untilPong(port: number): Promise<void> {
  // Ready once it answers PING (after loading the append-only file).
  for (let i = 0; i < 100; i++) {
    if (await answersPing(port)) return;
    await sleep(50);
  }
  throw new Error(`private redis-server on ${port} did not start`);
}

// Persisting like a production Redis: append-only file, fsync every second.
const persistence = ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"];

/** A redis-server persisting like a production one (`appendonly yes`, `appendfsync everysec`). */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "outage-redis-"));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = await spawnServer("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      ...persistence,
    ]);
    await untilPong(port);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async crashAndRestart(downMs = 0) {
      await kill(child);
      if (downMs > 0) await sleep(downMs);
      await start();
    },
    async stop() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FailoverReport {
  /** From the SIGKILL to the Sentinels naming the promoted replica (s). */
  promotedAfterS: number;
  /** Replication stream bytes the primary had written and its replica had not received just before the kill. */
  unreplicatedBytes: number;
}

export interface SentinelRedis {
  sentinels: SentinelAddress[];
  name: string;
  /** The platform's settings for it. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  /**
   * SIGKILLs the primary, waits for the Sentinels to promote the replica, then starts the killed server
   * again as the new primary's replica and waits until it has synchronised (ready for the next failover).
   */
  failover(): Promise<FailoverReport>;
  stop(): Promise<void>;
}

/**
 * A Redis primary with one replica and three Sentinels (quorum 2), each a process of Debian's redis-server
 * and redis-sentinel on free ports. Sentinels declare a primary down after 1 s without an answer; a Sentinel
 * takes part in another failover of the same primary only 2 × failover-timeout (6 s) after the last.
 */
export async function privateSentinelRedis(options: { downAfterMs?: number } = {}): Promise<SentinelRedis> {
  const name = "fleet";
  const dir = mkdtempSync(path.join(tmpdir(), "sentinel-redis-"));
  const nodes: { port: number; child: ChildProcess | null }[] = [];
  const sentinels: { port: number; child: ChildProcess }[] = [];
  const startNode = async (node: { port: number; child: ChildProcess | null }, primaryPort?: number) => {
    const nodeDir = path.join(dir, String(node.port));
    rmSync(nodeDir, { recursive: true, force: true }); // a replica resynchronises in full anyway
    mkdirSync(nodeDir, { recursive: true });
    node.child = await spawnServer("redis-server", [
      "--port",
      String(node.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      nodeDir,
      ...persistence,
      // A replica (re)joining gets its copy at once instead of after the default 5 s wait for others.
      "--repl-diskless-sync-delay",
      "0",
      ...(primaryPort ? ["--replicaof", "127.0.0.1", String(primaryPort)] : []),
    ]);
    await untilPong(node.port);
  };
  const ask = async <T>(port: number, command: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      return await command(client);
    } finally {
      client.disconnect();
    }
  };
  const primaryPort = async (): Promise<number> => {
    for (const sentinel of sentinels) {
      const address = await ask(sentinel.port, (c) =>
        c.call("SENTINEL", "get-master-addr-by-name", name),
      ).catch(() => null);
      if (Array.isArray(address)) return Number(address[1]);
    }
    throw new Error("no Sentinel answers");
  };
  try {
    for (let i = 0; i < 2; i++) nodes.push({ port: await freePort(), child: null });
    await startNode(nodes[0]!);
    await startNode(nodes[1]!, nodes[0]!.port);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${nodes[0]!.port} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} 3000`,
          "",
        ].join("\n"),
      );
      sentinels.push({ port, child: await spawnServer("redis-sentinel", [conf]) });
      await untilPong(port);
    }
    // Sentinels find the replica and each other through the primary; wait until all three agree.
    for (let i = 0; i < 200; i++) {
      const views = await Promise.all(
        sentinels.map((s) =>
          ask(s.port, (c) => c.call("SENTINEL", "master", name)).then(
            (fields) => {
              const info = fields as string[];
              const at = (key: string) => Number(info[info.indexOf(key) + 1]);
              return at("num-slaves") === 1 && at("num-other-sentinels") === 2;
            },
            () => false,
          ),
        ),
      );
      if (views.every(Boolean)) break;
      await sleep(100);
    }
  } catch (error) {
    for (const s of sentinels) await kill(s.child);
    for (const n of nodes) await kill(n.child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const addresses = sentinels.map((s) => ({ host: "127.0.0.1", port: s.port }));
  return {
    sentinels: addresses,
    name,
    env: {
      REDIS_SENTINELS: addresses.map((a) => `${a.host}:${a.port}`).join(","),
      REDIS_SENTINEL_NAME: name,
    },
    async failover() {
      const oldPort = await primaryPort();
      const old = nodes.find((n) => n.port === oldPort)!;
      const replica = nodes.find((n) => n.port !== oldPort)!;
      // Both offsets at once, just before the kill: what the replica had not received yet is what is lost.
      const offsetOf = (port: number) =>
        ask(port, (c) => c.info("replication")).then((info) =>
          Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? 0),
        );
      const [offset, received] = await Promise.all([offsetOf(oldPort), offsetOf(replica.port)]);
      const killedAt = Date.now();
      await kill(old.child);
      let newPort = oldPort;
      while (newPort === oldPort) {
        if (Date.now() - killedAt > 60_000) throw new Error("the Sentinels promoted no replica within 60 s");
        await sleep(100);
        newPort = await primaryPort().catch(() => oldPort);
      }
      const promotedAfterS = (Date.now() - killedAt) / 1000;
      await startNode(old, newPort);
      // Ready for the next failover once the new replica has its full copy and streams again.
      for (let i = 0; i < 600; i++) {
        const info = await ask(old.port, (c) => c.info("replication")).catch(() => "");
        if (/master_link_status:up/.test(info) && !/master_sync_in_progress:1/.test(info)) break;
        await sleep(100);
      }
      return { promotedAfterS, unreplicatedBytes: Math.max(0, offset - received) };
    },
    async stop() {
      for (const s of sentinels) await kill(s.child);
      for (const n of nodes) await kill(n.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
