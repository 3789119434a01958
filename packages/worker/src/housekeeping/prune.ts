import type { Database } from "@avatar-chat/db";
import type { ForgetConversations } from "@avatar-chat/protocol";
import { type Kysely, sql } from "kysely";
import { deleteExpiredConversations } from "./conversation-retention";

/** How long rows that only grow are kept. */
export interface RetentionPolicy {
  /** Audit entries, by age. */
  auditDays: number;
  /** Sessions, counted from their expiry (a signed-out session expires at once). */
  expiredSessionDays: number;
  /** Emails sent or given up on, by age; pending ones stay until sent. */
  outboxDays: number;
  /**
   * Kept recordings no message links, by age: the visitor never sent their text. Far longer than the
   * widget's automatic send retries (minutes), so none is deleted while its message is still on its way.
   */
  unlinkedVoiceInputMinutes: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  auditDays: 365,
  expiredSessionDays: 7,
  outboxDays: 30,
  unlinkedVoiceInputMinutes: 60,
};

/** Deletes objects from the object store (a missing one counts as deleted). */
export interface ObjectRemover {
  delete(key: string): Promise<void>;
}

const DAY_MS = 86_400_000;
/** Rows one statement deletes at most, so no statement holds many row locks for long. */
export const PRUNE_BATCH = 5_000;
/** Recordings per round: each is one request to the object store before their rows go. */
export const RECORDING_BATCH = 200;

/** The instants before which each kind of row goes. */
export function pruneCutoffs(now: Date, policy: RetentionPolicy) {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return {
    audit: before(policy.auditDays),
    sessions: before(policy.expiredSessionDays),
    outbox: before(policy.outboxDays),
    voiceInputs: new Date(now.getTime() - policy.unlinkedVoiceInputMinutes * 60_000),
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

/**
 * Kept recordings that no message linked before `before`: each object, then its row (a failed delete fails
 * the job, and the row is still there for the next run). Linked ones live as long as their conversation.
 */
export async function pruneUnlinkedVoiceInputs(
  db: Kysely<Database>,
  storage: ObjectRemover,
  before: Date,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db
      .selectFrom("voice_inputs")
      .select(["id", "storage_key"])
      .where("message_id", "is", null)
      .where("created_at", "<", before)
      .orderBy("created_at")
      .limit(RECORDING_BATCH)
      .execute();
    for (const row of rows) await storage.delete(row.storage_key);
    if (rows.length > 0) {
      const deleted = await db
        .deleteFrom("voice_inputs")
        .where(
          "id",
          "in",
          rows.map((r) => r.id),
        )
        .where("message_id", "is", null)
        .executeTakeFirst();
      total += Number(deleted.numDeletedRows);
    }
    if (rows.length < RECORDING_BATCH) return total;
  }
}

export async function processPrune(deps: {
  db: Kysely<Database>;
  storage: ObjectRemover;
  forgetConversations: ForgetConversations;
  /** Deletes realtime keys of conversations that no longer exist; returns how many conversations' keys. */
  sweepOrphanedChannels: () => Promise<number>;
  clock: () => Date;
  retention: RetentionPolicy;
}) {
  const now = deps.clock();
  const cutoffs = pruneCutoffs(now, deps.retention);
  return {
    ...(await pruneOldRows(deps.db, cutoffs)),
    voiceInputs: await pruneUnlinkedVoiceInputs(deps.db, deps.storage, cutoffs.voiceInputs),
    conversations: await deleteExpiredConversations(deps.db, deps.storage, deps.forgetConversations, now),
    orphanedChannels: await deps.sweepOrphanedChannels(),
  };
}
