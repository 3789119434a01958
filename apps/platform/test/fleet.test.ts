import { expect, it } from "vitest";
import { runFleet } from "../fleet/run-fleet";

// The short form of `pnpm fleet` (docs/deploy.md): the production topology from the built code, six visitors
// of two tenants through HAProxy for 90 s while one api, worker and realtime process is SIGKILLed and
// restarted, PostgreSQL restarts and Redis fails over. Correctness only; the figures are `pnpm bench fleet`'s.
it("keeps every conversation whole while processes die, PostgreSQL restarts and Redis fails over", async () => {
  const report = await runFleet({ durationS: 90, visitors: 6, tenants: 2 });
  console.log(JSON.stringify({ ...report, windows: undefined }));
  expect(report.problems).toEqual([]);
  expect(report.accepted).toBeGreaterThan(0);
  expect(Object.keys(report.recoveryS)).toHaveLength(5);
}, 600_000);
