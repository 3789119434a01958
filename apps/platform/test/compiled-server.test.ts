import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@avatar-chat/db/test-servers";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const appDir = path.resolve(import.meta.dirname, "..");

interface Compiled {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, as `docker stop` sends it; the exit code, or "killed" when still running after its 10 s. */
  stop(): Promise<number | null | "killed">;
}

/** `node dist/main.js` (what the image runs) with `env`, once `healthUrl` answers ready. */
async function startCompiled(env: Record<string, string>, healthUrl: string): Promise<Compiled> {
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: appDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const compiled: Compiled = {
    child,
    output: () => output,
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      return Promise.race([
        exited,
        new Promise<"killed">((resolve) => setTimeout(() => resolve("killed"), 10_000)),
      ]);
    },
  };
  for (let i = 0; i < 600; i++) {
    const ready = await fetch(`${healthUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return compiled;
    if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the server never became ready:\n${output}`);
}

// What the production image runs: the compiled bundle under plain `node`, no tsx and no pnpm between the
// container's stop signal and the shutdown code. `docker stop` sends SIGTERM, then SIGKILL after 10 s.
describe("the compiled server (dist/main.js, dist/migrate.js)", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "compiled-server-"));
  const prefix = `cs${randomBytes(4).toString("hex")}:`;
  const running: Compiled[] = [];

  beforeAll(() => {
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build-server.ts"], { cwd: appDir });
  });
  afterAll(async () => {
    for (const server of running) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    await deleteKeysAt("redis://127.0.0.1:6379", prefix);
  });

  it("runs the embedded platform (api, dashboard, widget) and stops on SIGTERM within 10 s", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, API_PORT: String(port), PUBLIC_URL: url, REDIS_PREFIX: prefix };
    const platform = await startCompiled(env, url);
    running.push(platform);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/widget/avatar-chat.js`)).status).toBe(200);
    const signIn = await fetch(`${url}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain("<div id=");
    expect(await platform.stop(), platform.output()).toBe(0);
  });

  it("ships indexing's worker thread beside the bundle, runnable by plain node", () => {
    // What prepareDocument starts from dist/main.js: a document's bytes in, its chunk count, then its rows.
    const worker = JSON.stringify(path.join(appDir, "dist/prepare-document.worker.js"));
    const script = path.join(dataDir, "start-worker.mjs");
    writeFileSync(
      script,
      `import { Worker } from "node:worker_threads";
      const worker = new Worker(${worker});
      worker.on("message", (reply) => {
        if (reply.id === 1) console.log(reply.value);
        if (reply.id === 2) console.log(reply.value[0].content);
        if (reply.id === 2) void worker.terminate();
      });
      const piece = new TextEncoder().encode("# Returns\\n\\nWithin 30 days.");
      const request = { contentType: "text/markdown", embedOffline: true };
      worker.postMessage({ id: 0, call: { type: "bytes", piece } });
      worker.postMessage({ id: 1, call: { type: "prepare", request } });
      worker.postMessage({ id: 2, call: { type: "rows", from: 0, to: 1 } });`,
    );
    expect(execFileSync(process.execPath, [script], { encoding: "utf8" })).toBe(
      "1\nReturns\n\nWithin 30 days.\n",
    );
  });

  describe("as separate roles on PostgreSQL, after the one-shot migration", () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase({ migrate: false });
    });
    afterAll(() => database?.drop());

    it("migrates, then each role answers /readyz and stops on SIGTERM within 10 s", async () => {
      const shared = {
        DATABASE_URL: database.url as string,
        REDIS_URL: "redis://127.0.0.1:6379",
        REDIS_PREFIX: prefix,
        APP_SECRET: randomBytes(32).toString("hex"),
        MIGRATE_ON_START: "false",
        DATA_DIR: dataDir,
      };
      const migrated = execFileSync(process.execPath, ["dist/migrate.js"], {
        cwd: appDir,
        env: { ...process.env, ...shared },
        encoding: "utf8",
      });
      expect(migrated).toMatch(/applied: 0001_schema/);
      const [realtimePort, healthPort] = [await freePort(), await freePort()];
      const roles = await Promise.all([
        startCompiled(
          { ...shared, PLATFORM_ROLES: "realtime", REALTIME_PORT: String(realtimePort) },
          `http://127.0.0.1:${realtimePort}`,
        ),
        startCompiled(
          { ...shared, PLATFORM_ROLES: "worker", HEALTH_PORT: String(healthPort) },
          `http://127.0.0.1:${healthPort}`,
        ),
      ]);
      running.push(...roles);
      for (const role of roles) expect(await role.stop(), role.output()).toBe(0);
    });
  });
});
