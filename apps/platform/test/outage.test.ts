import { describe, expect, it } from "vitest";
import { type OutageReport, runOutage } from "./outage-scenario";

// A dependency goes away for two seconds under a steady stream of visitor messages (private servers made
// here; the machine's own PostgreSQL and Redis stay up). The platform runs as its own process.
function expectRecovered(report: OutageReport) {
  console.log(JSON.stringify(report));
  expect(report.survived).toBe(true);
  expect(report.unstructured).toEqual([]);
  expect(report.failures).toBe(0);
  expect(report.accepted).toBeGreaterThan(0);
  expect(report.unanswered).toBe(0);
  expect(report.strayReplies).toBe(0);
  expect(report.health.healthz).toEqual([200]);
  expect(report.health.readyz).toEqual([200, 503]);
}

describe("dependency outages (all-in-one process)", () => {
  it("survives a PostgreSQL restart: 503 while it is down, every stored message answered once", async () => {
    const report = await runOutage({
      database: "postgres",
      disrupt: ({ postgres }) => postgres!.restart(2_000),
    });
    expectRecovered(report);
  });

  it("survives Redis being killed and restarted from its append-only file", async () => {
    const report = await runOutage({
      database: "postgres",
      disrupt: ({ redis }) => redis!.crashAndRestart(2_000),
    });
    expectRecovered(report);
  });

  it("survives Redis being killed in embedded mode (PGlite)", async () => {
    const report = await runOutage({
      database: "pglite",
      disrupt: ({ redis }) => redis!.crashAndRestart(2_000),
    });
    expectRecovered(report);
  });
});

describe("dependency outages (api, worker and realtime as separate processes)", () => {
  it("survives a PostgreSQL restart and a Redis kill", async () => {
    const report = await runOutage({
      database: "postgres",
      separateRoles: true,
      disrupt: async ({ postgres, redis }) => {
        await postgres!.restart(1_000);
        await redis!.crashAndRestart(1_000);
      },
    });
    expectRecovered(report);
  });
});
