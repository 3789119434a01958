import { type Figures, figure, type Suite } from "../../../bench/figures";
import { type OutageReport, runOutage } from "../test/outage-scenario";

/**
 * What six visitors sending steadily through the all-in-one process feel when a dependency goes away for
 * two seconds: the outage window (first refused send to the first accepted one after the last refusal,
 * so it includes the two seconds down and the time to reconnect) and stored messages left without a
 * reply once the platform had 30 s to catch up (must be 0).
 */
const suite: Suite = {
  name: "outage",
  measures: ["apps/platform", "packages"],
  async run(): Promise<Figures> {
    const postgres = await runOutage({
      database: "postgres",
      disrupt: ({ postgres }) => postgres!.restart(2_000),
    });
    const redis = await runOutage({
      database: "postgres",
      disrupt: ({ redis }) => redis!.crashAndRestart(2_000),
    });
    const embedded = await runOutage({
      database: "pglite",
      disrupt: ({ redis }) => redis!.crashAndRestart(2_000),
    });
    const window = (report: OutageReport) => report.windowS ?? 0;
    const note = (what: string, report: OutageReport) =>
      `${what}, 2 s down; ${report.accepted} sends accepted, answers ${JSON.stringify(report.statuses)}, process ${report.survived ? "survived" : "DIED"}`;
    return {
      "outage.postgres_restart.recovery_s": figure(
        window(postgres),
        "s",
        note("PostgreSQL fast shutdown and start", postgres),
      ),
      "outage.redis_kill.recovery_s": figure(
        window(redis),
        "s",
        note("Redis SIGKILL, restart from its AOF (everysec)", redis),
      ),
      "outage.redis_kill_embedded.recovery_s": figure(
        window(embedded),
        "s",
        note("the same with PGlite", embedded),
      ),
      "outage.unanswered": figure(
        postgres.unanswered + redis.unanswered + embedded.unanswered,
        "messages",
        `stored visitor messages without their one reply, all three runs (${postgres.stored + redis.stored + embedded.stored} stored; jobs the redelivery sweep re-enqueued: ${postgres.redelivered + redis.redelivered + embedded.redelivered})`,
      ),
    };
  },
};

export default suite;
