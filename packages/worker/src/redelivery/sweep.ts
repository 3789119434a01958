import type { Database } from "@avatar-chat/db";
import type { Queue } from "bullmq";
import type { Kysely } from "kysely";
import { requeueEmail, requeueIndex, requeueReply } from "../enqueue";
import { pendingEmails, pendingSources, unansweredMessages, type Window } from "./queries";

/**
 * The database is the record of work owed; Redis only carries it. A visitor message, a knowledge source or
 * an email stored while Redis was away (its enqueue failed after the commit), or whose job Redis lost
 * when it restarted, or whose attempts ran out during an outage, is enqueued again here under its usual
 * job id: a job that exists is left alone, so this is safe to run often and from several workers.
 */
export interface RedeliveryOptions {
  /** Rows younger than this are left to the request that stored them. Default 5 s. */
  minAgeMs: number;
  /** Rows older than this are no longer owed (a visitor is not answered a day late). Default 24 h. */
  maxAgeMs: number;
  /** Rows per kind per sweep. Default 200. */
  batch: number;
}

export const DEFAULT_REDELIVERY: RedeliveryOptions = { minAgeMs: 5_000, maxAgeMs: 86_400_000, batch: 200 };

export interface RedeliveryDeps {
  db: Kysely<Database>;
  queues: { aiReply: Queue; kbIndex: Queue; email: Queue };
  clock: () => Date;
}

/** How many jobs one sweep enqueued or retried, per kind (rows whose job exists are left as they are). */
export async function redeliver(
  deps: RedeliveryDeps,
  options: RedeliveryOptions = DEFAULT_REDELIVERY,
): Promise<{ replies: number; sources: number; emails: number }> {
  const now = deps.clock().getTime();
  const window: Window = {
    before: new Date(now - options.minAgeMs),
    since: new Date(now - options.maxAgeMs),
    limit: options.batch,
  };
  const [messages, sources, emails] = await Promise.all([
    unansweredMessages(deps.db, window),
    pendingSources(deps.db, window),
    pendingEmails(deps.db, window),
  ]);
  const counts = { replies: 0, sources: 0, emails: 0 };
  for (const m of messages) {
    const job = {
      tenantId: m.tenant_id,
      conversationId: m.conversation_id,
      messageId: m.id,
      question: m.content,
    };
    if (await requeueReply(deps.queues.aiReply, job)) counts.replies++;
  }
  for (const s of sources) {
    if (await requeueIndex(deps.queues.kbIndex, { tenantId: s.tenant_id, sourceId: s.id }, s.updated_at))
      counts.sources++;
  }
  for (const e of emails) if (await requeueEmail(deps.queues.email, { outboxId: e.id })) counts.emails++;
  return counts;
}
