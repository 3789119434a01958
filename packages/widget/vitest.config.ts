import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "widget",
    include: ["src/**/*.test.ts"],
    // Browser tests build the bundle and drive headless Chromium; they need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
