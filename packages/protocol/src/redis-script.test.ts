import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { redisScript, runScript } from "./redis-script";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** Every TypeScript file the services, apps and benches are built from (tests included). */
function sourceFiles(folder = repoRoot): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")
        ? []
        : sourceFiles(file);
    return /\.tsx?$/.test(entry.name) ? [path.relative(repoRoot, file)] : [];
  });
}

describe("runScript", () => {
  it("sends EVALSHA, and the script body only when Redis answers NOSCRIPT", async () => {
    const calls: string[] = [];
    const script = redisScript("return 1");
    const redis = {
      async evalsha(sha: string) {
        calls.push(`evalsha ${sha}`);
        throw new Error("NOSCRIPT No matching script. Please use EVAL.");
      },
      async eval(body: string) {
        calls.push(`eval ${body}`);
        return 1;
      },
    };
    expect(await runScript(redis, script, 0, [])).toBe(1);
    expect(calls).toEqual([`evalsha ${script.sha}`, "eval return 1"]);
  });

  it("is the one way a Lua script runs: no other file calls EVAL or EVALSHA", () => {
    const callers = ["packages", "apps", "bench"]
      .flatMap((top) => sourceFiles(path.join(repoRoot, top)))
      .filter(
        (file) =>
          file !== "packages/protocol/src/redis-script.ts" &&
          /\.(eval|evalsha)\(/.test(readFileSync(path.join(repoRoot, file), "utf8")),
      );
    expect(callers).toEqual([]);
  });
});
