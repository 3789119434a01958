// The fleet under fire: visitors drive the production topology for a fixed time while a schedule kills
// and restarts one process of each role, restarts PostgreSQL and fails Redis over; then the verdict.
import { replyMessageId } from "@avatar-chat/worker";
import { percentile } from "../../../bench/figures";
import { type Fleet, type RoleProcess, startFleet } from "./topology";
import {
  type Attempt,
  createTenants,
  crossTenantRead,
  openVisitor,
  type Visitor,
  type VisitorRecord,
} from "./visitors";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type FaultName = "api_kill" | "worker_kill" | "realtime_kill" | "postgres_restart" | "redis_failover";

export interface FaultWindow {
  fault: FaultName;
  startedAt: number;
  /** When the fault's action was over (the process ready again, PostgreSQL up, a replica promoted). */
  endedAt: number;
}

export interface FleetOptions {
  durationS: number;
  visitors: number;
  tenants: number;
  /** Requests may fail from a fault's start until this long after its end (HAProxy's checks, reconnects). */
  graceMs?: number;
  /** The schedule, in order (default: every fault, `faultOrder`). */
  faults?: FaultName[];
  log?: (line: string) => void;
}

export interface FleetReport {
  durationS: number;
  visitors: number;
  tenants: number;
  sent: number;
  accepted: number;
  msgsPerS: number;
  firstToken: { p50Ms: number; p99Ms: number };
  /** Seconds from each fault until every visitor was whole again (see `recoveryS`). */
  recoveryS: Partial<Record<FaultName, number>>;
  windows: FaultWindow[];
  failedAttempts: { inWindows: number; outside: Attempt[] };
  streams: { restartedByWorker: number; completedFromTranscript: number; resumeNotices: number };
  /** Every broken promise; the run fails when this is not empty. */
  problems: string[];
}

/**
 * From a fault's start until every visitor was whole again: each send that failed in its window was
 * accepted on a retry, and each reply owed at the fault's start (or to a send of the window) arrived.
 */
export function recoveryS(window: FaultWindow, records: readonly VisitorRecord[], graceMs: number): number {
  let whole = window.endedAt;
  for (const message of records.flatMap((r) => r.messages)) {
    const failedInWindow = message.attempts.some(
      (a) => a.status !== 200 && a.at >= window.startedAt && a.at <= window.endedAt + graceMs,
    );
    const owedAtStart =
      message.sentAt <= window.startedAt && (message.repliedAt ?? Infinity) > window.startedAt;
    if (failedInWindow || owedAtStart)
      whole = Math.max(whole, message.repliedAt ?? message.acceptedAt ?? whole);
  }
  return (whole - window.startedAt) / 1000;
}

async function inject(fleet: Fleet, fault: FaultName): Promise<void> {
  const first = (role: RoleProcess["role"]) => fleet.processes.find((p) => p.role === role)!;
  if (fault === "api_kill") await fleet.killAndRestart(first("api"));
  else if (fault === "worker_kill") await fleet.killAndRestart(first("worker"));
  else if (fault === "realtime_kill") await fleet.killAndRestart(first("realtime"));
  else if (fault === "postgres_restart") await fleet.postgres.restart(2_000);
  else await fleet.redis.failover();
}

export const faultOrder: FaultName[] = [
  "api_kill",
  "worker_kill",
  "realtime_kill",
  "postgres_restart",
  "redis_failover",
];

export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const log = options.log ?? (() => {});
  const graceMs = options.graceMs ?? 10_000;
  log("fleet: starting PostgreSQL + replica + PgBouncer, Redis + replica + Sentinels, 6 processes, HAProxy");
  const fleet = await startFleet();
  const problems: string[] = [];
  const visitors: Visitor[] = [];
  try {
    log(`fleet: up at ${fleet.url} (logs in ${fleet.logDir})`);
    const tenants = await createTenants(fleet.url, options.tenants);
    const setupAttempts: Attempt[] = [];
    for (let i = 0; i < options.visitors; i++)
      visitors.push(
        await openVisitor({
          url: fleet.url,
          tenant: tenants[i % tenants.length]!,
          address: `203.0.113.${i + 1}`,
          paceMs: 5_000,
          setupAttempts,
        }),
      );
    const records = visitors.map((v) => v.record);
    log(`fleet: ${visitors.length} visitors of ${tenants.length} tenants sending for ${options.durationS} s`);

    let stopping = false;
    const replyWaitMs = 150_000;
    const loops = visitors.map(async (visitor, i) => {
      await sleep((i * 5_000) / visitors.length); // spread over the pace
      while (!stopping) await visitor.next(replyWaitMs);
    });
    const startedAt = Date.now();
    const windows: FaultWindow[] = [];
    // Faults spread over the run with room after the last for its recovery.
    const faults = options.faults ?? faultOrder;
    const spacing = (options.durationS * 1000 * 0.8) / (faults.length + 1);
    for (const [i, fault] of faults.entries()) {
      await sleep(Math.max(0, startedAt + spacing * (i + 1) - Date.now()));
      const window: FaultWindow = { fault, startedAt: Date.now(), endedAt: 0 };
      log(`fleet: ${fault}`);
      await inject(fleet, fault);
      window.endedAt = Date.now();
      windows.push(window);
      log(`fleet: ${fault} over after ${((window.endedAt - window.startedAt) / 1000).toFixed(1)} s`);
    }
    await sleep(Math.max(0, startedAt + options.durationS * 1000 - Date.now()));
    stopping = true;
    log("fleet: load stopped; waiting for the last replies");
    await Promise.all(loops);
    const endedAt = Date.now();
    problems.push(...fleet.unexpectedExits());

    // Every message got exactly one stored reply; the transcript holds only this visitor's messages.
    for (const visitor of visitors) {
      const { record } = visitor;
      const transcript = await visitor.transcript();
      const ids = new Set(transcript.map((m) => m.id));
      const users = transcript.filter((m) => m.role === "user");
      const accepted = record.messages.filter((m) => m.messageId !== null);
      for (const message of record.messages)
        if (message.messageId === null) problems.push(`${record.address}: a send was never accepted`);
      for (const message of accepted)
        if (!ids.has(replyMessageId(message.messageId!)))
          problems.push(`${record.address}: message ${message.messageId} has no reply`);
      if (users.length !== accepted.length)
        problems.push(
          `${record.address}: ${users.length} stored messages for ${accepted.length} accepted sends`,
        );
      const expected = new Set(users.map((m) => replyMessageId(m.id)));
      const replies = transcript.filter((m) => m.role === "assistant");
      if (replies.some((m) => !expected.has(m.id)) || replies.length !== users.length)
        problems.push(`${record.address}: ${replies.length} replies for ${users.length} messages`);
      if (users.some((m) => !m.content.startsWith(`${record.tenant} / ${record.address} /`)))
        problems.push(`${record.address}: its transcript holds a message it did not send`);
      // Every reply arrived over the stream, complete and in order (or, announced restarted, from the transcript).
      for (const message of accepted) {
        const stream = record.streams.get(replyMessageId(message.messageId!));
        if (!stream?.complete && !stream?.fromTranscript)
          problems.push(`${record.address}: the reply to ${message.messageId} never arrived on the stream`);
      }
      problems.push(...record.violations.map((v) => `${record.address}: ${v}`));
      if (record.foreignEvents > 0)
        problems.push(`${record.address}: saw ${record.foreignEvents} foreign events`);
    }
    // No tenant reads another's conversation.
    for (const [i, visitor] of visitors.entries()) {
      const other = visitors.find((v) => v.record.tenant !== visitor.record.tenant);
      if (!other || i >= options.tenants) continue;
      const answer = await crossTenantRead(fleet.url, visitor, other.record.conversationId);
      if (answer.status === 200)
        problems.push(`${visitor.record.address} read ${other.record.tenant}'s conversation`);
    }
    // No request failed outside the fault windows.
    const attempts = records.flatMap((r) => r.messages.flatMap((m) => m.attempts)).concat(setupAttempts);
    const inWindow = (a: Attempt) => windows.some((w) => a.at >= w.startedAt && a.at <= w.endedAt + graceMs);
    const failed = attempts.filter((a) => a.status !== 200);
    const outside = failed.filter((a) => !inWindow(a));
    for (const a of outside)
      problems.push(
        `a request failed outside every fault window (${a.status} at +${((a.at - startedAt) / 1000).toFixed(1)} s)`,
      );

    const messages = records.flatMap((r) => r.messages);
    const accepted = messages.filter((m) => m.acceptedAt !== null);
    const firstTokens = messages
      .filter((m) => m.firstTokenAt !== null)
      .map((m) => m.firstTokenAt! - m.sentAt)
      .sort((a, b) => a - b);
    const streams = records.flatMap((r) => [...r.streams.values()]);
    const recovery: Partial<Record<FaultName, number>> = {};
    for (const window of windows) recovery[window.fault] = recoveryS(window, records, graceMs);
    return {
      durationS: options.durationS,
      visitors: visitors.length,
      tenants: tenants.length,
      sent: messages.length,
      accepted: accepted.length,
      msgsPerS: accepted.length / ((endedAt - startedAt) / 1000),
      firstToken: { p50Ms: percentile(firstTokens, 50), p99Ms: percentile(firstTokens, 99) },
      recoveryS: recovery,
      windows,
      failedAttempts: { inWindows: failed.length - outside.length, outside },
      streams: {
        restartedByWorker: streams.filter((s) => s.restarts > 0).length,
        completedFromTranscript: streams.filter((s) => !s.complete && s.fromTranscript).length,
        resumeNotices: records.reduce((sum, r) => sum + r.resumeNotices, 0),
      },
      problems,
    };
  } finally {
    for (const visitor of visitors) visitor.close();
    if (problems.length > 0) log(`fleet: problems found; process logs kept in ${fleet.logDir}`);
    await fleet.stop(problems.length > 0);
  }
}
