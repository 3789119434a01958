import { expect, it } from "vitest";
import { runOutage } from "./outage-scenario";
import type { FailoverReport } from "./private-services";

// Redis behind Sentinel (Debian's redis-server and redis-sentinel, private, on free ports): the primary is
// SIGKILLed twice while visitors send; each time a Sentinel-elected replica takes over and the killed server
// comes back as its replica. api, worker and realtime run as separate processes and find the new primary
// through the Sentinels.
it("fails Redis over to the promoted replica: no process dies, no 500, every stored message answered once", async () => {
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
  console.log(JSON.stringify({ ...report, failovers }));
  expect(report.survived).toBe(true);
  expect(report.unstructured).toEqual([]);
  expect(report.failures).toBe(0);
  expect(report.accepted).toBeGreaterThan(0);
  expect(report.unanswered).toBe(0);
  expect(report.strayReplies).toBe(0);
  expect(report.health.healthz).toEqual([200]);
  // Every role lost its connection to the killed primary and found the promoted one.
  expect(report.redisReconnects).toBeGreaterThanOrEqual(3);
  expect(failovers).toHaveLength(2);
}, 300_000);
