import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dts } from "rollup-plugin-dts";

const here = dirname(fileURLToPath(import.meta.url));
const serverDeps = resolve(here, "../api/src/deps");

/** The server context's dependencies become an opaque type (src/server-deps.d.ts). */
const opaqueServerDeps = {
  name: "opaque-server-deps",
  resolveId(source, importer) {
    if (importer && source.startsWith(".") && resolve(dirname(importer), source) === serverDeps) {
      return resolve(here, "src/server-deps.d.ts");
    }
    return null;
  },
};

// One self-contained index.d.ts: the api's router types are inlined (the input is the api's real path, so
// its own dependencies resolve as they do there); only tRPC and zod stay imports, resolved from the
// integrator's node_modules because they are this package's dependencies.
export default {
  input: resolve(here, "../api/src/client.ts"),
  output: { file: "dist/index.d.ts", format: "es" },
  external: (id) => /^(@trpc\/(client|server)|zod)(\/|$)/.test(id),
  plugins: [opaqueServerDeps, dts({ respectExternal: true, tsconfig: resolve(here, "tsconfig.json") })],
};
