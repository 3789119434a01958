import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, realpathSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { type RedisConnection, redisConnectionFrom, type SentinelAddress } from "@avatar-chat/config";
import { DirectoryInUseError, lockDirectory } from "@avatar-chat/db/directory-lock";
import { Redis } from "ioredis";

export interface ResolvedRedis {
  connection: RedisConnection;
  /** Where it came from, for the start-up banner. */
  origin: "REDIS_URL" | "REDIS_SENTINELS" | "local" | "child process";
  stop(): Promise<void>;
}

/** Whether a Redis answers PING on `host:port` within half a second. */
export function answersPing(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Clears the child's port for a platform that holds `dir`'s lock. A Redis there with its files in `dir`
 * is then the child of a platform that was killed (kill -9 reaches the platform, never its child): it is
 * shut down (writing its append-only file first) so this platform starts and stops its own. A Redis of
 * another directory there is refused, not shared.
 */
async function shutDownLeftover(port: number, dir: string): Promise<void> {
  if (!(await answersPing(port))) return;
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const [, holderDir] = (await redis.config("GET", "dir")) as [string, string];
    if (holderDir !== realpathSync(dir))
      throw new Error(
        `Cannot start redis-server: port ${port} is taken by a Redis with its files in another directory ` +
          `(${holderDir}), perhaps a platform on another DATA_DIR. Stop it, or set REDIS_URL.`,
      );
    // It exits as it answers, so the reply may be the connection closing.
    await redis.shutdown().catch(() => {});
  } finally {
    redis.disconnect();
  }
  for (let i = 0; i < 50 && (await answersPing(port)); i++) await sleep(100);
}

/**
 * BullMQ needs a real Redis, so there is no embedded one: the Sentinels' primary (REDIS_SENTINELS), else
 * REDIS_URL, else one answering on 127.0.0.1:6379, else `redis-server` from PATH as a child process with its
 * files under the data dir.
 */
export async function resolveRedis(
  configured: { url: string | undefined; sentinels: readonly SentinelAddress[]; sentinelName: string },
  dataDir: string,
  ports: { local: number; child: number } = { local: 6379, child: 6390 },
): Promise<ResolvedRedis> {
  const stop = async () => {};
  if (configured.sentinels.length > 0)
    return { connection: redisConnectionFrom({ ...configured, url: "" }), origin: "REDIS_SENTINELS", stop };
  if (configured.url) return { connection: configured.url, origin: "REDIS_URL", stop };
  if (await answersPing(ports.local))
    return { connection: `redis://127.0.0.1:${ports.local}`, origin: "local", stop };

  const dir = path.resolve(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = ports.child;
  const connection = `redis://127.0.0.1:${port}`;
  // The platform that starts the child holds `redis.lock` while it runs. Held by a live one (roles run as
  // separate processes on one DATA_DIR): that one's Redis is shared, as one answering on 6379 would be.
  let lock: { release(): void };
  try {
    lock = lockDirectory(dir, "The Redis started by the platform");
  } catch (error) {
    if (error instanceof DirectoryInUseError && (await answersPing(port)))
      return { connection, origin: "local", stop };
    throw error;
  }
  try {
    await shutDownLeftover(port, dir);
  } catch (error) {
    lock.release();
    throw error;
  }
  let child: ChildProcess;
  try {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes"],
      {
        stdio: "ignore",
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => resolve());
    });
  } catch {
    lock.release();
    throw new Error(
      "No Redis found: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server " +
        "(Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`).",
    );
  }
  for (let i = 0; i < 50 && !(await answersPing(port)); i++) {
    if (child.exitCode !== null) {
      lock.release();
      throw new Error(`redis-server exited (code ${child.exitCode}) before answering on 127.0.0.1:${port}.`);
    }
    await sleep(100);
  }
  return {
    connection,
    origin: "child process",
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }).finally(() => lock.release()),
  };
}
