// Compiles the platform's server (src/main.ts and the workspace packages it imports) into JavaScript that
// plain `node` runs, dist/main.js and the chunks beside it that each role imports when it runs: what the
// production image starts (and dist/migrate.js, the
// migrations, dist/prepare-document.worker.js, indexing's worker thread, and dist/pglite.worker.js, the
// embedded database's thread). Packages from the registry
// stay imports, resolved from node_modules at run time (the image installs only production ones).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "../../..");

type Manifest = { name: string; dependencies?: Record<string, string> };

const manifests = new Map<string, Manifest>();
for (const group of ["packages", "apps"]) {
  for (const dir of readdirSync(path.join(root, group))) {
    try {
      const manifest = JSON.parse(
        readFileSync(path.join(root, group, dir, "package.json"), "utf8"),
      ) as Manifest;
      manifests.set(manifest.name, manifest);
    } catch {}
  }
}

/** Registry packages that `name` and the workspace packages it depends on import at run time. */
function registryDependencies(name: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(name)) return found;
  seen.add(name);
  for (const [dependency, version] of Object.entries(manifests.get(name)?.dependencies ?? {})) {
    if (version.startsWith("workspace:"))
      for (const inner of registryDependencies(dependency, seen)) found.add(inner);
    else found.add(dependency);
  }
  return found;
}

// The bundle's imports resolve from apps/platform: each must be the platform's own dependency, or the
// image (which installs only the platform's production dependencies) would miss it.
const platform = manifests.get("@avatar-chat/platform") as Manifest;
const external = [...registryDependencies(platform.name)];
const missing = external.filter((name) => !platform.dependencies?.[name]);
if (missing.length > 0) {
  console.error(
    `apps/platform/package.json must list these dependencies of the packages it bundles: ${missing.join(", ")}`,
  );
  process.exit(1);
}

await build({
  // The server, and the one-shot migration a deployment runs before starting it.
  entryPoints: {
    main: path.join(root, "apps/platform/src/main.ts"),
    migrate: path.join(root, "packages/db/src/migrate-cli.ts"),
    // Indexing's worker thread, started from beside main.js (packages/ai/src/ingest/prepare-document.ts).
    "prepare-document.worker": path.join(root, "packages/ai/src/ingest/prepare-document.worker.ts"),
    // The embedded database's thread, started from beside main.js (packages/db/src/embedded).
    "pglite.worker": path.join(root, "packages/db/src/embedded/pglite.worker.ts"),
  },
  outdir: path.join(root, "apps/platform/dist"),
  bundle: true,
  // Each role's code (loaded by `import()` in start-platform.ts) goes to chunks of its own beside main.js,
  // so a realtime-only or worker-only process loads neither the api's routers nor their packages. Beside
  // it, not in a folder: code that finds a file relative to itself (the indexing worker) finds it there.
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: true,
  // A package's subpaths (`pkg/sub`) are external too.
  external: external.flatMap((name) => [name, `${name}/*`]),
  // Bundled code keeps require() for the few CommonJS paths that ask for it.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
