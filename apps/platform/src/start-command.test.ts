import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";

// `pnpm start` the way a new user runs it: the machine's pnpm and Node (not the workspace's Node 24 that
// vitest runs on), Ctrl-C sent to the whole process group as a terminal does.

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** The user's shell environment: without the workspace's bin folders or the variables pnpm adds. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(npm_|PNPM_|INIT_CWD$|NODE_PATH$|VITEST)/i.test(key)) env[key] = value;
  env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(path.delimiter);
  return { ...env, ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Run {
  child: ChildProcess;
  output(): string;
  /** Resolves once `text` has been printed. */
  printed(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a command in a process group of its own, collecting stdout and stderr together. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: "pipe" });
  let output = "";
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wait of waiting.filter((w) => output.includes(w.text))) wait.resolve();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    printed: (text) =>
      new Promise((resolve, reject) => {
        if (output.includes(text)) return resolve();
        waiting.push({ text, resolve });
        exited.then(() => reject(new Error(`exited before printing "${text}":\n${output}`)));
      }),
    exited,
  };
}

/** A redis-server of the test's own on a free port, so the test can kill it. */
async function privateRedis() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "redis-"));
  const port = await freePort();
  const server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  // Retries until the server listens; refused connections meanwhile are expected.
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on("error", () => {});
  await client.ping();
  client.disconnect();
  return {
    url,
    async kill() {
      if (server.exitCode === null && server.signalCode === null) {
        const gone = new Promise((resolve) => server.once("exit", resolve));
        server.kill("SIGKILL");
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("pnpm start", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** The platform's own start script (the root `pnpm start` runs the build first, then the same). */
  async function startPlatform(extraEnv: Record<string, string> = {}) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "platform-start-"));
    const port = await freePort();
    const prefix = `ts${randomBytes(4).toString("hex")}:`;
    const started = run(
      "pnpm",
      ["--filter", "@avatar-chat/platform", "start"],
      userEnv({
        DATA_DIR: dataDir,
        API_PORT: String(port),
        PUBLIC_URL: `http://localhost:${port}`,
        REDIS_PREFIX: prefix,
        LOG_LEVEL: "error",
        ...extraEnv,
      }),
    );
    cleanups.push(async () => {
      if (started.child.exitCode === null && started.child.signalCode === null)
        process.kill(-started.child.pid!, "SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
      if (!extraEnv.REDIS_URL) {
        await deleteKeysAt("redis://127.0.0.1:6379", prefix);
      }
    });
    await started.printed("Ctrl-C stops everything.");
    return { platform: started, url: `http://localhost:${port}` };
  }

  it("prints no engine warning with the machine's Node", async () => {
    const listed = run("pnpm", ["run"], userEnv({}));
    expect((await listed.exited).code).toBe(0);
    expect(listed.output()).toMatch(/start/);
    expect(listed.output()).not.toMatch(/Unsupported engine/);
    // pnpm checks engines against the Node that runs the workspace: keep it the `node` devDependency's.
    const manifest = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8"));
    const workspace = await readFile(path.join(repoRoot, "pnpm-workspace.yaml"), "utf8");
    expect(workspace).toContain(`nodeVersion: ${manifest.devDependencies.node}`);
  });

  it("stops cleanly on Ctrl-C: exit code 0, no pnpm failure", { timeout: 240_000 }, async () => {
    const { platform } = await startPlatform();
    process.kill(-platform.child.pid!, "SIGINT");
    expect(await platform.exited, platform.output()).toEqual({ code: 0, signal: null });
    expect(platform.output()).toContain("SIGINT: stopping…");
    expect(platform.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed|Unsupported engine/);
  });

  it(
    "stops on Ctrl-C with Redis gone, without waiting for it (the forced exit would be code 1)",
    { timeout: 240_000 },
    async () => {
      const redis = await privateRedis();
      cleanups.push(() => redis.kill());
      const { platform, url } = await startPlatform({ REDIS_URL: redis.url });
      await redis.kill();
      // Gone as the platform sees it: readiness fails (not a Redis dying in the middle of the stop).
      await expect
        .poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 30_000, interval: 200 })
        .toBe(503);
      process.kill(-platform.child.pid!, "SIGINT");
      expect(await platform.exited, platform.output()).toEqual({ code: 0, signal: null });
      expect(platform.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    },
  );
});
