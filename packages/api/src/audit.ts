import type { Database } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import type { Actor } from "./trpc";

export interface AuditEntry {
  tenantId: string;
  actor: Actor | { kind: "user"; userId: string } | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends one security-relevant action to the tenant's audit log. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      tenant_id: entry.tenantId,
      actor_user_id: entry.actor?.kind === "user" ? entry.actor.userId : null,
      actor_api_key_id: entry.actor?.kind === "apiKey" ? entry.actor.keyId : null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      ip: entry.ip ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}
