import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "client", testTimeout: 120_000, hookTimeout: 60_000 } });
