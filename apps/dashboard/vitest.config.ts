import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "dashboard",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Browser tests build the app and drive headless Chromium against a real api.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
