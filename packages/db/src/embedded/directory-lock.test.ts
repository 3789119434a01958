import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryInUseError, holderRuns, lockDirectory } from "./directory-lock";

// Two processes writing one PGlite directory corrupt it; a lock left by a killed process must not stop the
// next start. (The compiled platform's test, apps/platform/test/embedded-restart.test.ts, kills it for real.)
describe("the embedded database's directory lock", () => {
  const root = mkdtempSync(path.join(tmpdir(), "directory-lock-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a second holder while the first holds it, and frees it on release", () => {
    const dataDir = path.join(root, "held");
    const lock = lockDirectory(dataDir, "The embedded database");
    expect(() => lockDirectory(dataDir, "The embedded database")).toThrow(DirectoryInUseError);
    expect(() => lockDirectory(dataDir, "The embedded database")).toThrow(
      `in use by another process (pid ${process.pid})`,
    );
    lock.release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    lockDirectory(dataDir, "The embedded database").release();
  });

  it("takes over a lock whose process is gone", () => {
    const dataDir = path.join(root, "stale");
    // A pid that ran and exited: what kill -9 leaves in the lock.
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: Number(gone.stdout.trim()), started: null }));
    lockDirectory(dataDir, "The embedded database").release();
  });

  it("tells a reused pid from its holder by the start time, where the system gives one", () => {
    expect(holderRuns({ pid: 7, started: "100" }, { alive: true, started: "100" })).toBe(true);
    expect(holderRuns({ pid: 7, started: "100" }, { alive: true, started: "250" })).toBe(false);
    expect(holderRuns({ pid: 7, started: null }, { alive: true, started: null })).toBe(true);
    expect(holderRuns({ pid: 7, started: "100" }, { alive: false, started: null })).toBe(false);
  });
});
