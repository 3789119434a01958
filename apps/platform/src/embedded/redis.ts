import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { type RedisConnection, redisConnectionFrom, type SentinelAddress } from "@avatar-chat/config";

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

/**
 * BullMQ needs a real Redis, so there is no embedded one: the Sentinels' primary (REDIS_SENTINELS), else
 * REDIS_URL, else one answering on 127.0.0.1:6379, else `redis-server` from PATH as a child process with its
 * files under the data dir.
 */
export async function resolveRedis(
  configured: { url: string | undefined; sentinels: readonly SentinelAddress[]; sentinelName: string },
  dataDir: string,
): Promise<ResolvedRedis> {
  const stop = async () => {};
  if (configured.sentinels.length > 0)
    return { connection: redisConnectionFrom({ ...configured, url: "" }), origin: "REDIS_SENTINELS", stop };
  if (configured.url) return { connection: configured.url, origin: "REDIS_URL", stop };
  if (await answersPing(6379)) return { connection: "redis://127.0.0.1:6379", origin: "local", stop };

  const dir = path.resolve(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = 6390;
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
    throw new Error(
      "No Redis found: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server " +
        "(Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`).",
    );
  }
  for (let i = 0; i < 50 && !(await answersPing(port)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    connection: `redis://127.0.0.1:${port}`,
    origin: "child process",
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
