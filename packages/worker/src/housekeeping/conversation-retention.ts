import { type Database, type Tx, withTenant } from "@avatar-chat/db";
import type { ForgetConversations } from "@avatar-chat/protocol";
import type { Kysely } from "kysely";
import { forgetUsageText } from "../analytics/forget-usage-text";
import type { ObjectRemover } from "./prune";

const DAY_MS = 86_400_000;

/** Rows one transaction deletes at most: a conversation with more messages goes over several. */
export interface RetentionBatch {
  /** Messages per transaction; each may have a recording, one request to the object store. */
  messages: number;
  /** Expired conversations one transaction locks. */
  conversations: number;
}

export const RETENTION_BATCH: RetentionBatch = { messages: 500, conversations: 100 };

export interface DeletedConversations {
  conversations: number;
  messages: number;
  recordings: number;
}

/** The instant before which a conversation's last message makes it expired under a period of `days`. */
function retentionCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/**
 * One bounded step of a tenant's expired conversations, in its own tenant transaction: locks a few
 * conversations whose last message is older than the cutoff (a visitor's message to one waits for the
 * step; one committed first moves the conversation out of the cutoff, and the step skips it), deletes the
 * recordings' objects, then their rows, a batch of messages, and the conversations left empty. An object
 * store failure rolls the step back and the job retries it (a missing object counts as deleted).
 * A conversation an agent holds or a visitor asked a person for stays while it is open: closing it, or
 * handing it back to the bot, lets it expire.
 */
async function deleteStep(
  tx: Tx,
  storage: ObjectRemover,
  tenantId: string,
  cutoff: Date,
  batch: RetentionBatch,
): Promise<DeletedConversations & { deletedIds: string[] }> {
  const expired = await tx
    .selectFrom("conversations")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("last_message_at", "<", cutoff)
    .where((eb) => eb.or([eb("handoff", "=", "bot"), eb("status", "=", "closed")]))
    .orderBy("last_message_at")
    .limit(batch.conversations)
    .forUpdate()
    .skipLocked()
    .execute();
  const none = { conversations: 0, messages: 0, recordings: 0, deletedIds: [] };
  if (expired.length === 0) return none;
  const conversationIds = expired.map((c) => c.id);
  const picked = (
    await tx
      .selectFrom("messages")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("conversation_id", "in", conversationIds)
      .limit(batch.messages)
      .execute()
  ).map((m) => m.id);
  // The answers to picked questions would go with them (reply_to cascades): named here, so they are counted
  // and their recordings, if any, found.
  const replies =
    picked.length === 0
      ? []
      : await tx
          .selectFrom("messages")
          .select("id")
          .where("tenant_id", "=", tenantId)
          .where("reply_to", "in", picked)
          .execute();
  const messageIds = [...new Set([...picked, ...replies.map((m) => m.id)])];
  // The batch's messages' recordings, and those no message linked (they go with their conversation).
  const recordings = await tx
    .selectFrom("voice_inputs")
    .select(["id", "storage_key"])
    .where("tenant_id", "=", tenantId)
    .where("conversation_id", "in", conversationIds)
    .where((eb) =>
      messageIds.length > 0
        ? eb.or([eb("message_id", "is", null), eb("message_id", "in", messageIds)])
        : eb("message_id", "is", null),
    )
    .execute();
  for (const recording of recordings) await storage.delete(recording.storage_key);
  if (recordings.length > 0) {
    await tx
      .deleteFrom("voice_inputs")
      .where(
        "id",
        "in",
        recordings.map((r) => r.id),
      )
      .execute();
  }
  await forgetUsageText(tx, tenantId, messageIds);
  const messages =
    messageIds.length === 0
      ? 0
      : Number(
          (
            await tx
              .deleteFrom("messages")
              .where("tenant_id", "=", tenantId)
              .where("id", "in", messageIds)
              .executeTakeFirst()
          ).numDeletedRows,
        );
  const emptied = await tx
    .deleteFrom("conversations")
    .where("tenant_id", "=", tenantId)
    .where("id", "in", conversationIds)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("messages").select("id").whereRef("messages.conversation_id", "=", "conversations.id"),
        ),
      ),
    )
    .returning("id")
    .execute();
  return {
    conversations: emptied.length,
    messages,
    recordings: recordings.length,
    deletedIds: emptied.map((c) => c.id),
  };
}

/** Tenants that set a retention period, with the instant before which their conversations expire. */
async function tenantsWithRetention(db: Kysely<Database>, now: Date) {
  const rows = await db
    .selectFrom("tenants")
    .select(["id", "conversation_retention_days"])
    .where("conversation_retention_days", "is not", null)
    .execute();
  return rows.flatMap((row) =>
    row.conversation_retention_days === null
      ? []
      : [{ tenantId: row.id, cutoff: retentionCutoff(now, row.conversation_retention_days) }],
  );
}

/**
 * Deletes, tenant by tenant, the conversations whose last message is older than the tenant's retention
 * period, with their messages (citations and feedback are theirs) and kept recordings (object and row),
 * step by step until a step finds nothing, then their realtime channels in Redis. Usage events lose their link to the conversation but stay,
 * and the roll-ups built from them are not touched, so analytics keep their counts.
 */
export async function deleteExpiredConversations(
  db: Kysely<Database>,
  storage: ObjectRemover,
  forget: ForgetConversations,
  now: Date,
  batch: RetentionBatch = RETENTION_BATCH,
): Promise<DeletedConversations> {
  const total = { conversations: 0, messages: 0, recordings: 0 };
  for (const { tenantId, cutoff } of await tenantsWithRetention(db, now)) {
    for (;;) {
      const step = await withTenant(db, tenantId, (tx) => deleteStep(tx, storage, tenantId, cutoff, batch));
      await forget(step.deletedIds);
      total.conversations += step.conversations;
      total.messages += step.messages;
      total.recordings += step.recordings;
      if (step.conversations + step.messages + step.recordings === 0) break;
    }
  }
  return total;
}
