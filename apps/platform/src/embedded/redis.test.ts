import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@avatar-chat/db/test-servers";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { answersPing, resolveRedis } from "./redis";

// The redis-server the embedded platform starts when no Redis answers: what a crash of the platform leaves
// behind (kill -9 reaches the platform, never its child) and what the next start makes of it.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process id a Redis on `port` reports, or null when none answers. */
async function redisPid(port: number): Promise<number | null> {
  if (!(await answersPing(port))) return null;
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info("server");
    return Number(/process_id:(\d+)/.exec(info)?.[1]);
  } finally {
    redis.disconnect();
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A platform stand-in: a Node process that resolves Redis as the platform does, then waits to be killed. */
async function platformResolvingRedis(dataDir: string, ports: { local: number; child: number }) {
  const module = JSON.stringify(path.join(import.meta.dirname, "redis.ts"));
  const script = `const { resolveRedis } = await import(${module});
    await resolveRedis({ url: undefined, sentinels: [], sentinelName: "" }, ${JSON.stringify(dataDir)}, ${JSON.stringify(ports)});
    console.log("resolved"); setInterval(() => {}, 1000);`;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("resolved") && resolve());
    child.once("exit", (code) => reject(new Error(`the stand-in exited with ${code}`)));
  });
  return child;
}

describe("resolveRedis's redis-server child across a crash of the platform", () => {
  const dirs: string[] = [];
  const leftovers: number[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "embedded-redis-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const pid of leftovers) if (processRuns(pid)) process.kill(pid, "SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("replaces the redis-server a killed platform left behind, and stops the new one on close", async () => {
    const dataDir = tempDir();
    // Nothing answers on `local`: the platform starts its own Redis on `child`.
    const ports = { local: await freePort(), child: await freePort() };
    const crashed = await platformResolvingRedis(dataDir, ports);
    const orphan = (await redisPid(ports.child))!;
    leftovers.push(orphan);
    crashed.kill("SIGKILL");
    await new Promise((resolve) => crashed.once("exit", resolve));
    expect(processRuns(orphan)).toBe(true);

    const resolved = await resolveRedis({ url: undefined, sentinels: [], sentinelName: "" }, dataDir, ports);
    const replacement = await redisPid(ports.child);
    if (replacement) leftovers.push(replacement);
    expect(resolved).toMatchObject({
      origin: "child process",
      connection: `redis://127.0.0.1:${ports.child}`,
    });
    await resolved.stop();
    for (let i = 0; i < 50 && processRuns(orphan); i++) await sleep(100);
    expect(processRuns(orphan), "the crashed platform's redis-server still runs").toBe(false);
    expect(await answersPing(ports.child), "a redis-server still answers after stop").toBe(false);
    expect(replacement).not.toBe(orphan);
  });

  it("refuses a port held by another data directory's Redis instead of sharing its queues", async () => {
    const ports = { local: await freePort(), child: await freePort() };
    const other = await platformResolvingRedis(tempDir(), ports);
    const foreign = (await redisPid(ports.child))!;
    leftovers.push(foreign);
    other.kill("SIGKILL");
    await new Promise((resolve) => other.once("exit", resolve));

    await expect(
      resolveRedis({ url: undefined, sentinels: [], sentinelName: "" }, tempDir(), ports),
    ).rejects.toThrow(`port ${ports.child} is taken by a Redis with its files in another directory`);
    expect(processRuns(foreign), "another data directory's Redis was stopped").toBe(true);
  });

  it("shares the Redis of a platform still running on the data directory (roles as separate processes)", async () => {
    const dataDir = tempDir();
    const ports = { local: await freePort(), child: await freePort() };
    const running = await platformResolvingRedis(dataDir, ports);
    const owned = (await redisPid(ports.child))!;
    leftovers.push(owned);
    try {
      const shared = await resolveRedis({ url: undefined, sentinels: [], sentinelName: "" }, dataDir, ports);
      expect(shared).toMatchObject({ origin: "local", connection: `redis://127.0.0.1:${ports.child}` });
      await shared.stop();
      expect(await redisPid(ports.child)).toBe(owned);
    } finally {
      running.kill("SIGKILL");
    }
  });
});
