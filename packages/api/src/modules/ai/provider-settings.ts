import type { ProviderSettings } from "@avatar-chat/ai";
import { type Database, withTenant } from "@avatar-chat/db";
import type { Kysely } from "kysely";
import { openSecret } from "../../crypto/secret-box";
import { findAiSettings } from "./queries";

type AiSettingsRow = NonNullable<Awaited<ReturnType<typeof findAiSettings>>>;

/** The stored key in clear, or null when none is stored. Throws when it cannot be opened (APP_SECRET changed). */
export function storedApiKey(appSecret: string, row: Pick<AiSettingsRow, "tenant_id" | "api_key_encrypted">) {
  if (!row.api_key_encrypted) return null;
  const key = openSecret(appSecret, row.api_key_encrypted, row.tenant_id);
  if (key === null) {
    throw new Error("The stored AI provider key cannot be decrypted (APP_SECRET changed?). Save it again.");
  }
  return key;
}

/** Provider settings from a row; no row or an incomplete one means the offline provider. */
export function providerSettingsFromRow(appSecret: string, row: AiSettingsRow | undefined): ProviderSettings {
  if (!row || row.provider === "offline") return { kind: "offline" };
  const apiKey = storedApiKey(appSecret, row);
  if (!apiKey || !row.chat_model || !row.embedding_model) return { kind: "offline" };
  return {
    kind: "openai",
    apiKey,
    chatModel: row.chat_model,
    embeddingModel: row.embedding_model,
    ...(row.base_url ? { baseUrl: row.base_url } : {}),
  };
}

/**
 * A tenant's provider settings with the key decrypted, for `createProvider` in the worker and platform.
 * Reads inside a tenant-fixed transaction like every tenant-owned query.
 */
export async function providerSettingsFor(
  db: Kysely<Database>,
  appSecret: string,
  tenantId: string,
): Promise<ProviderSettings> {
  const row = await withTenant(db, tenantId, (tx) => findAiSettings(tx, tenantId));
  return providerSettingsFromRow(appSecret, row);
}
