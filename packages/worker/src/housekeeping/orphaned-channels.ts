import type { Database } from "@avatar-chat/db";
import { channelKeys, conversationChannel, forgetConversationChannels } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Keys SCAN looks at per call: one database lookup per call checks the conversations they name. */
const SCAN_COUNT = 1000;

/** A Redis glob matching `literal` exactly (a prefix may hold glob characters). */
const globLiteral = (literal: string) => literal.replace(/[*?[\]\\]/g, "\\$&");

/**
 * Deletes the realtime keys (stream and counter) of conversations that no longer exist: a deletion whose
 * Redis step failed after commit (chatbot.delete only logs it), or a reply that kept streaming while its
 * conversation was deleted and so wrote the keys again. Every conversation's channel has a counter, so
 * scanning the counters finds them all. Runs across tenants with the owning role.
 */
export async function sweepOrphanedChannels(
  db: Kysely<Database>,
  redis: Pick<Redis, "scan" | "del">,
  prefix: string,
): Promise<number> {
  const head = channelKeys(conversationChannel(""), prefix).sequence;
  const forget = forgetConversationChannels(redis, prefix);
  let swept = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${globLiteral(head)}*`, "COUNT", SCAN_COUNT);
    cursor = next;
    const ids = [...new Set(keys.map((key) => key.slice(head.length)))];
    const named = ids.filter((id) => UUID.test(id));
    const existing =
      named.length === 0
        ? new Set<string>()
        : new Set(
            (await db.selectFrom("conversations").select("id").where("id", "in", named).execute()).map(
              (c) => c.id,
            ),
          );
    const orphans = ids.filter((id) => !existing.has(id));
    await forget(orphans);
    swept += orphans.length;
  } while (cursor !== "0");
  return swept;
}
