import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "dashboard",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Browser tests build the app and drive headless Chromium against a real api.
    testTimeout: 120_000,
    // A browser beside other test files on a 2-core CI machine: waiting on the page takes more than 1 s.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 180_000,
  },
});
