import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "../../packages/widget/vite-precompress";

// In dev the api (and realtime, widget, avatars) live on another port; the proxy keeps one origin so the
// session cookie and the CSRF origin check work as in production, where the platform serves `dist`.
const api = process.env.DASHBOARD_API_URL ?? "http://localhost:3000";

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    proxy: {
      "/trpc": { target: api, changeOrigin: false },
      "/realtime": { target: api, ws: true, changeOrigin: false },
      "/widget": { target: api, changeOrigin: false },
      "/avatars": { target: api, changeOrigin: false },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
});
