// `pnpm fleet [--duration <s>] [--visitors <n>] [--tenants <n>]`: the production topology on this machine
// under visitors and a schedule of faults (docs/deploy.md, "The fleet under fire"). Exits 1 on any problem.
import { parseArgs } from "node:util";
import { type FaultName, runFleet } from "./run-fleet";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "180" },
    visitors: { type: "string", default: "12" },
    tenants: { type: "string", default: "3" },
    faults: { type: "string" },
  },
});
const report = await runFleet({
  durationS: Number(values.duration),
  visitors: Number(values.visitors),
  tenants: Number(values.tenants),
  ...(values.faults ? { faults: values.faults.split(",") as FaultName[] } : {}),
  log: (line) => console.log(line),
});
console.log(JSON.stringify({ ...report, windows: undefined }, null, 2));
console.log(
  [
    `${report.accepted} messages in ${report.durationS} s: ${report.msgsPerS.toFixed(2)} msgs/s`,
    `send → first token at the visitor: p50 ${report.firstToken.p50Ms} ms, p99 ${report.firstToken.p99Ms} ms`,
    ...Object.entries(report.recoveryS).map(([fault, s]) => `recovery after ${fault}: ${s.toFixed(1)} s`),
    report.problems.length === 0 ? "fleet: every check held" : `fleet: ${report.problems.length} problems`,
  ].join("\n"),
);
process.exit(report.problems.length === 0 ? 0 : 1);
