import { type Figures, figure, type Suite } from "../../../bench/figures";
import { runFleet } from "../fleet/run-fleet";

// The long form of `pnpm fleet`: twelve visitors of three tenants for four minutes under the fault schedule.
const suite: Suite = {
  name: "fleet",
  measures: ["apps/platform", "packages", "deploy"],
  async run(): Promise<Figures> {
    const report = await runFleet({ durationS: 240, visitors: 12, tenants: 3, log: console.log });
    if (report.problems.length > 0) throw new Error(`fleet: ${report.problems.join("; ")}`);
    const setting = `${report.visitors} visitors of ${report.tenants} tenants through HAProxy, ${report.durationS} s, 2 api + 2 worker + 2 realtime, PgBouncer (transaction) + replica, Redis + Sentinel`;
    const figures: Figures = {
      "fleet.msgs_per_s": figure(
        report.msgsPerS,
        "msgs/s",
        `messages accepted and answered per second; ${setting} (visitors pace themselves at one message per 5 s)`,
      ),
      "fleet.first_token.p50_ms": figure(
        report.firstToken.p50Ms,
        "ms",
        "send to the reply's first streamed token at the visitor, p50 (faults included)",
      ),
      "fleet.first_token.p99_ms": figure(
        report.firstToken.p99Ms,
        "ms",
        "send to the reply's first streamed token at the visitor, p99 (faults included)",
      ),
    };
    for (const [fault, seconds] of Object.entries(report.recoveryS))
      figures[`fleet.recovery_s.${fault}`] = figure(
        seconds,
        "s",
        "from the fault until every failed send was accepted on a retry and every reply owed at the fault had arrived",
      );
    return figures;
  },
};
export default suite;
