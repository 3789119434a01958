import { describe, expect, it } from "vitest";
import { type OutageReport, runOutage } from "./outage-scenario";
import type { FailoverReport } from "./private-services";

// A dependency goes away for two seconds under a steady stream of visitor messages (private servers made
// here; the machine's own PostgreSQL and Redis stay up). The platform runs as its own process.
function expectRecovered(report: OutageReport, readiness: number[] = [200, 503]) {
  console.log(JSON.stringify(report));
  expect(report.survived).toBe(true);
  expect(report.unstructured).toEqual([]);
  expect(report.failures).toBe(0);
  expect(report.accepted).toBeGreaterThan(0);
  expect(report.unanswered).toBe(0);
  expect(report.strayReplies).toBe(0);
  expect(report.health.healthz).toEqual([200]);
  expect(report.health.readyz).toEqual(readiness);
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

// Redis behind Sentinel (Debian's redis-server and redis-sentinel, private, on free ports): the primary is
// SIGKILLed twice while visitors send; each time a Sentinel-elected replica takes over and the killed server
// comes back as its replica. api, worker and realtime find the new primary through the Sentinels.
describe("Redis failover through Sentinel (separate processes)", () => {
  it("fails over to the promoted replica: no process dies, no 500, every stored message answered once", async () => {
    const failovers: FailoverReport[] = [];
    const report = await runOutage({
      database: "postgres",
      redis: "sentinel",
      separateRoles: true,
      disrupt: async ({ sentinelRedis }) => {
        failovers.push(await sentinelRedis!.failover());
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        failovers.push(await sentinelRedis!.failover());
      },
    });
    console.log(JSON.stringify({ failovers }));
    // Readiness drops only if a probe lands while no primary is elected.
    expectRecovered(report, report.health.readyz.includes(503) ? [200, 503] : [200]);
    // Every role lost its connection to the killed primary and found the promoted one.
    expect(report.redisReconnects).toBeGreaterThanOrEqual(3);
    expect(failovers).toHaveLength(2);
  }, 300_000);
});
