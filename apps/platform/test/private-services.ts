// Private PostgreSQL and Redis servers for outage tests: the machine's shared ones are never stopped.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, type PostgresServer, privatePrimary } from "@avatar-chat/db/test-servers";
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

/** A redis-server persisting like a production one (`appendonly yes`, `appendfsync everysec`). */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "outage-redis-"));
  let child: ChildProcess | null = null;
  const start = async () => {
    const started = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
      ],
      { stdio: "ignore" },
    );
    child = started;
    await new Promise<void>((resolve, reject) => {
      started.once("error", reject);
      started.once("spawn", () => resolve());
    });
    // Ready once it answers PING (after loading the append-only file).
    for (let i = 0; i < 100; i++) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("private redis-server did not start");
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise((resolve) => {
      running.once("exit", resolve);
      running.kill("SIGKILL");
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async crashAndRestart(downMs = 0) {
      await kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
