import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBrowserClient } from "@avatar-chat/api/testing";
import { freePort } from "@avatar-chat/db/test-servers";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The embedded platform as users stop it: kill -9 (OOM, a frozen laptop), a second `pnpm start` in the same
// folder, Ctrl-C. The compiled bundle (`pnpm test` builds it first) runs as a child process and is killed
// for real.

const appDir = path.resolve(import.meta.dirname, "..");

interface Platform {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `node dist/main.js` on `dataDir`; resolves once it prints its banner or exits, whichever comes first. */
async function startOn(dataDir: string, prefix: string): Promise<Platform> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: appDir,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      API_PORT: String(port),
      PUBLIC_URL: url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = new Promise<void>((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ctrl-C stops everything.")) resolve();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
  });
  await Promise.race([started, exited]);
  return { url, child, output: () => output, exited };
}

async function killHard(platform: Platform): Promise<void> {
  platform.child.kill("SIGKILL");
  await platform.exited;
}

describe("the embedded platform stopped hard and started again", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "embedded-restart-"));
  const prefix = `er${randomBytes(4).toString("hex")}:`;
  const running: Platform[] = [];
  const owner = { email: `owner-${randomUUID()}@example.test`, password: "a long enough password" };

  beforeAll(async () => {
    if (!existsSync(path.join(appDir, "dist/main.js")))
      throw new Error("apps/platform/dist/main.js is missing: run `pnpm build` first");
    const first = await startOn(dataDir, prefix);
    running.push(first);
    const client = createBrowserClient({ url: first.url, origin: first.url });
    await client.auth.signUp.mutate({ ...owner, name: "Owner", workspaceName: "Restart Shop" });
    await client.chatbot.create.mutate({ name: "Kept bot" });
  });
  afterAll(async () => {
    for (const platform of running) if (platform.child.exitCode === null) await killHard(platform);
    rmSync(dataDir, { recursive: true, force: true });
    await deleteKeysAt("redis://127.0.0.1:6379", prefix);
  });

  it("refuses a second platform on the same data directory, naming the running one", async () => {
    const second = await startOn(dataDir, prefix);
    running.push(second);
    expect(second.output()).not.toContain("platform is running");
    expect(await second.exited, second.output()).toBe(1);
    expect(second.output()).toContain(`is in use by another process (pid ${running[0]!.child.pid})`);
    // The first one is untouched.
    expect((await fetch(`${running[0]!.url}/readyz`)).status).toBe(200);
  });

  it("starts again after kill -9 with its data, and Ctrl-C then leaves no lock behind", async () => {
    await killHard(running[0]!);
    const again = await startOn(dataDir, prefix);
    running.push(again);
    expect(again.output()).toContain("platform is running");
    const client = createBrowserClient({ url: again.url, origin: again.url });
    await client.auth.signIn.mutate(owner);
    const bots = await client.chatbot.list.query();
    expect(bots.map((bot) => bot.name)).toContain("Kept bot");

    again.child.kill("SIGINT");
    expect(await again.exited, again.output()).toBe(0);
    expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
  });
});
