import type { Kysely } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import * as schema from "./migrations/0001_schema";
import * as tenantIsolation from "./migrations/0002_tenant_isolation";
import * as notificationSettings from "./migrations/0003_notification_settings";
import * as onePendingInvitation from "./migrations/0004_one_pending_invitation";
import * as retentionIndexes from "./migrations/0005_retention_indexes";
import * as redeliveryIndex from "./migrations/0006_redelivery_index";
import * as chatbotVoice from "./migrations/0007_chatbot_voice";
import * as inboxSearch from "./migrations/0008_inbox_search";
import * as voiceInput from "./migrations/0009_voice_input";
import * as knowledgePaging from "./migrations/0010_knowledge_paging";
import * as voiceInputUpkeep from "./migrations/0011_voice_input_upkeep";
import * as conversationRetention from "./migrations/0012_conversation_retention";
import type { Database } from "./schema";

// Listed in code, not read from a folder, so the same migrations run from source, bundles and tests.
const migrations: Record<string, Migration> = {
  "0001_schema": schema,
  "0002_tenant_isolation": tenantIsolation,
  "0003_notification_settings": notificationSettings,
  "0004_one_pending_invitation": onePendingInvitation,
  "0005_retention_indexes": retentionIndexes,
  "0006_redelivery_index": redeliveryIndex,
  "0007_chatbot_voice": chatbotVoice,
  "0008_inbox_search": inboxSearch,
  "0009_voice_input": voiceInput,
  "0010_knowledge_paging": knowledgePaging,
  "0011_voice_input_upkeep": voiceInputUpkeep,
  "0012_conversation_retention": conversationRetention,
};

/** Applies every pending migration; forward only. Throws with the failing migration's name. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Names of the migrations this code knows that the database has not applied (readiness waits for none). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
