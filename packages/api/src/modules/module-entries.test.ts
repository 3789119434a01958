import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

// A module exposes what other modules may use from its index.ts; nothing else of its folder crosses,
// but for its rules.ts: zod and pure rules only, the entry a browser-bundled rules file imports (the
// index would pull the module's queries, and the database driver, into the dashboard).
// A router holds procedures; queries.ts holds the Kysely calls.
describe("module boundaries", () => {
  it("a module imports another module only through that module's index.ts", async () => {
    const dir = import.meta.dirname;
    const crossings: string[] = [];
    for (const module of await readdir(dir, { withFileTypes: true })) {
      if (!module.isDirectory()) continue;
      for (const file of await readdir(path.join(dir, module.name))) {
        if (!file.endsWith(".ts")) continue;
        const text = await readFile(path.join(dir, module.name, file), "utf8");
        for (const [, target] of text.matchAll(/from "\.\.\/([^".][^"]*)"/g)) {
          if (target!.includes("/") && !target!.endsWith("/rules"))
            crossings.push(`${module.name}/${file} imports ../${target}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it("routers hold procedures only: their SQL lives in the module's queries.ts", async () => {
    const dir = import.meta.dirname;
    const queriesInRouters: string[] = [];
    for (const module of await readdir(dir, { withFileTypes: true })) {
      if (!module.isDirectory()) continue;
      for (const file of await readdir(path.join(dir, module.name))) {
        if (file !== "router.ts" && !file.endsWith("-procedures.ts")) continue;
        const text = await readFile(path.join(dir, module.name, file), "utf8");
        for (const [call] of text.matchAll(/\.(selectFrom|insertInto|updateTable|deleteFrom)\(/g)) {
          queriesInRouters.push(`${module.name}/${file} calls ${call}`);
        }
      }
    }
    expect(queriesInRouters).toEqual([]);
  });
});
