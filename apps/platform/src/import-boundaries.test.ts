import path from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

// Each process loads only what it runs: the api enqueues through the worker's producer entry and checks
// realtime access through realtime's access rules, without the worker's consumers (BullMQ's Worker,
// nodemailer, the AI reply code) or the ws server; the realtime role's access check loads none of the
// api's routers, tRPC or the AWS SDK. Each entry is bundled as a process would load it (our workspace
// packages followed, every other package left as an import) and its files and package imports listed.
const repoRoot = path.resolve(import.meta.dirname, "../../..");
const platformDir = path.join(repoRoot, "apps/platform");

/** What `entry` loads; with `dynamic: false`, only what it loads before any `import()` runs. */
async function importGraph(
  entry: string,
  options: { dynamic: boolean } = { dynamic: true },
): Promise<{ files: string[]; packages: string[] }> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: platformDir,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    plugins: [
      {
        name: "only-our-packages",
        setup(b) {
          if (!options.dynamic)
            b.onResolve({ filter: /.*/ }, (args) =>
              args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined,
            );
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@avatar-chat/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const metafile: Metafile = result.metafile;
  const files = Object.keys(metafile.inputs).map((file) =>
    path.relative(repoRoot, path.resolve(platformDir, file)),
  );
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports)
      if (imported.external && imported.kind !== "dynamic-import") packages.add(imported.path);
  }
  return { files, packages: [...packages] };
}

const under = (files: string[], folder: string) => files.filter((file) => file.includes(folder));
const named = (packages: string[], prefix: string) =>
  packages.filter((name) => name === prefix || name.startsWith(`${prefix}/`));

describe("what each entry loads", () => {
  it("the api (@avatar-chat/api) loads the worker's producer only, realtime's access rules only", async () => {
    const { files, packages } = await importGraph("@avatar-chat/api");
    expect(under(files, "packages/worker/src/")).toEqual(
      expect.arrayContaining(["packages/worker/src/producer.ts"]),
    );
    expect(
      under(files, "packages/worker/src/").filter((file) => !/\/(producer|enqueue|queues)\.ts$/.test(file)),
    ).toEqual([]);
    expect(under(files, "packages/realtime/src/").filter((file) => !file.endsWith("/access.ts"))).toEqual([]);
    expect([...named(packages, "nodemailer"), ...named(packages, "ws")]).toEqual([]);
  });

  it("the realtime role's access check (@avatar-chat/api/realtime-access) loads no routers, tRPC, Hono or S3", async () => {
    const { files, packages } = await importGraph("@avatar-chat/api/realtime-access");
    expect(under(files, "packages/api/src/modules/")).toEqual([]);
    expect(under(files, "packages/worker/")).toEqual([]);
    expect([
      ...named(packages, "@trpc"),
      ...named(packages, "@aws-sdk"),
      ...named(packages, "hono"),
      ...named(packages, "bullmq"),
    ]).toEqual([]);
  });

  it("the producer entry (@avatar-chat/worker/producer) loads no consumer, AI code or mailer", async () => {
    const { files, packages } = await importGraph("@avatar-chat/worker/producer");
    expect(under(files, "packages/ai/")).toEqual([]);
    expect(
      files.filter((file) => /worker\/src\/(ai-reply|kb-index|email|analytics|create-worker)/.test(file)),
    ).toEqual([]);
    expect(named(packages, "nodemailer")).toEqual([]);
  });

  it("realtime (@avatar-chat/realtime) and the worker (@avatar-chat/worker) load nothing of the api", async () => {
    for (const entry of ["@avatar-chat/realtime", "@avatar-chat/worker"]) {
      const { files } = await importGraph(entry);
      expect(under(files, "packages/api/"), entry).toEqual([]);
    }
  });

  // A role process loads main.ts up to its first `import()`, then the role modules it runs (roles/*.ts).
  const roleProcess = async (role: string) => {
    const [start, roleCode] = await Promise.all([
      importGraph("./src/main.ts", { dynamic: false }),
      importGraph(`./src/roles/${role}.ts`),
    ]);
    return {
      files: [...start.files, ...roleCode.files],
      packages: [...start.packages, ...roleCode.packages],
    };
  };
  const apiApp = (files: string[]) =>
    files.filter(
      (file) =>
        /packages\/api\/src\/(app|root|trpc|storage)\.ts$/.test(file) ||
        /packages\/api\/src\/modules\/.*\/router\.ts$/.test(file),
    );

  it("a realtime-only process loads none of the api's app, routers or modules, tRPC, S3, BullMQ or AI code", async () => {
    const { files, packages } = await roleProcess("realtime");
    expect(files).toContain("packages/api/src/realtime-access.ts");
    expect([...apiApp(files), ...under(files, "packages/api/src/modules/")]).toEqual([]);
    expect([...under(files, "packages/worker/"), ...under(files, "packages/ai/src/provider/openai")]).toEqual(
      [],
    );
    expect([
      ...named(packages, "@trpc"),
      ...named(packages, "@aws-sdk"),
      ...named(packages, "bullmq"),
      ...named(packages, "openai"),
      ...named(packages, "nodemailer"),
    ]).toEqual([]);
  });

  it("a worker-only process loads none of the api's app or routers, nor tRPC", async () => {
    const { files, packages } = await roleProcess("worker");
    expect(files).toContain("packages/worker/src/create-worker.ts");
    expect(apiApp(files).filter((file) => !file.endsWith("storage.ts"))).toEqual([]);
    expect([...named(packages, "@trpc"), ...named(packages, "ws")]).toEqual([]);
  });
});
