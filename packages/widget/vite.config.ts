import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { precompress } from "./vite-precompress";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// `vite build`: dist/avatar-chat.js (script-tag loader, three.js in lazily loaded chunks).
// `vite build --mode npm`: dist/npm/index.js for bundlers, three and three-vrm left to the app.
export default defineConfig(({ mode }) => {
  const npm = mode === "npm";
  return {
    // The script-tag build is served by the platform; the npm build goes through the site's own bundler.
    plugins: npm ? [] : [precompress()],
    build: {
      outDir: here(npm ? "dist/npm" : "dist"),
      emptyOutDir: true,
      target: "es2022",
      minify: "esbuild",
      sourcemap: false,
      // three.js alone is ~590 kB minified (150 kB gzipped); it is its own lazily loaded chunk.
      chunkSizeWarningLimit: 700,
      // Plain dynamic import(): no preload helper that would inject <link> elements into the page.
      modulePreload: false,
      rollupOptions: {
        input: npm ? { index: here("src/index.ts") } : { "avatar-chat": here("src/loader.ts") },
        preserveEntrySignatures: "allow-extension",
        external: npm ? [/^three(\/.*)?$/, /^@pixiv\/three-vrm/] : [],
        output: {
          format: "es",
          entryFileNames: "[name].js",
          chunkFileNames: "chunks/[name]-[hash].js",
        },
      },
    },
  };
});
