import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "widget",
    include: ["src/**/*.test.ts"],
    // Browser tests build the bundle and drive headless Chromium; they need more than the 5 s default.
    testTimeout: 60_000,
    // A browser beside other test files on a 2-core CI machine: waiting on the page takes more than 1 s.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
  },
});
