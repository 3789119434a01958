import type { Database } from "@avatar-chat/db";
import { type Kysely, sql } from "kysely";

/** How long rows that only grow are kept. */
export interface RetentionPolicy {
  /** Audit entries, by age. */
  auditDays: number;
  /** Sessions, counted from their expiry (a signed-out session expires at once). */
  expiredSessionDays: number;
  /** Emails sent or given up on, by age; pending ones stay until sent. */
  outboxDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { auditDays: 365, expiredSessionDays: 7, outboxDays: 30 };

const DAY_MS = 86_400_000;
/** Rows one statement deletes at most, so no statement holds many row locks for long. */
export const PRUNE_BATCH = 5_000;

/** The instants before which each kind of row goes. */
export function pruneCutoffs(now: Date, policy: RetentionPolicy) {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return {
    audit: before(policy.auditDays),
    sessions: before(policy.expiredSessionDays),
    outbox: before(policy.outboxDays),
  };
}

export type PruneCutoffs = ReturnType<typeof pruneCutoffs>;

/** Deletes batch after batch until a batch comes back short; the total deleted. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

/**
 * Deletes what the retention policy no longer keeps, across tenants (the owning role, like the roll-up).
 * Each kind is found through an index on the time it is pruned by.
 */
export async function pruneOldRows(db: Kysely<Database>, cutoffs: PruneCutoffs) {
  const deleted = async (query: ReturnType<typeof sql>) =>
    Number((await query.execute(db)).numAffectedRows ?? 0);
  return {
    audit: await inBatches(() =>
      deleted(sql`delete from audit_log where id in (
        select id from audit_log where created_at < ${cutoffs.audit} order by created_at limit ${PRUNE_BATCH})`),
    ),
    sessions: await inBatches(() =>
      deleted(sql`delete from sessions where id in (
        select id from sessions where expires_at < ${cutoffs.sessions} order by expires_at limit ${PRUNE_BATCH})`),
    ),
    outbox: await inBatches(() =>
      deleted(sql`delete from email_outbox where id in (
        select id from email_outbox where status <> 'pending' and created_at < ${cutoffs.outbox}
        order by created_at limit ${PRUNE_BATCH})`),
    ),
  };
}

export function processPrune(deps: { db: Kysely<Database>; clock: () => Date; retention: RetentionPolicy }) {
  return pruneOldRows(deps.db, pruneCutoffs(deps.clock(), deps.retention));
}
