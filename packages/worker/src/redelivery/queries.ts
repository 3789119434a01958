import type { Database } from "@avatar-chat/db";
import { type Kysely, sql } from "kysely";

// Work the database says is owed but that may never have reached Redis (the api stored it, then Redis was
// away; or Redis lost the job when it restarted). Read across tenants, as housekeeping does.

export interface Window {
  /** Only rows older than this: younger ones are still being enqueued by the request that stored them. */
  before: Date;
  /** Only rows newer than this: a visitor is not answered a day late. */
  since: Date;
  limit: number;
}

/**
 * Visitor messages of open conversations the bot answers, with no reply stored and no agent having
 * spoken after them (the bot's later answers to other messages do not count: each message is owed its own).
 */
export function unansweredMessages(db: Kysely<Database>, window: Window) {
  return db
    .selectFrom("messages as m")
    .innerJoin("conversations as c", "c.id", "m.conversation_id")
    .select(["m.id", "m.tenant_id", "m.conversation_id", "m.content"])
    .where("m.role", "=", "user")
    .where("m.created_at", "<", window.before)
    .where("m.created_at", ">", window.since)
    .where("c.status", "=", "open")
    .where("c.handoff", "!=", "agent")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("messages as r")
            .select(sql`1`.as("one"))
            .whereRef("r.conversation_id", "=", "m.conversation_id")
            .where((eb) =>
              eb.or([
                eb("r.reply_to", "=", eb.ref("m.id")),
                eb.and([eb("r.role", "=", "agent"), eb("r.created_at", ">", eb.ref("m.created_at"))]),
              ]),
            ),
        ),
      ),
    )
    .orderBy("m.created_at")
    .limit(window.limit)
    .execute();
}

/**
 * Knowledge sources waiting to be indexed (a file only once its upload was confirmed, which moves
 * `updated_at`), or left "indexing" by a process that died: their job is left alone while it exists.
 */
export function pendingSources(db: Kysely<Database>, window: Window) {
  return db
    .selectFrom("knowledge_sources")
    .select(["id", "tenant_id", "updated_at"])
    .where("status", "in", ["pending", "indexing"])
    .where((eb) => eb.or([eb("kind", "!=", "file"), eb("updated_at", ">", eb.ref("created_at"))]))
    .where("updated_at", "<", window.before)
    .where("updated_at", ">", window.since)
    .orderBy("updated_at")
    .limit(window.limit)
    .execute();
}

/** Emails not yet sent or given up on. */
export function pendingEmails(db: Kysely<Database>, window: Window) {
  return db
    .selectFrom("email_outbox")
    .select("id")
    .where("status", "=", "pending")
    .where("created_at", "<", window.before)
    .where("created_at", ">", window.since)
    .orderBy("created_at")
    .limit(window.limit)
    .execute();
}
