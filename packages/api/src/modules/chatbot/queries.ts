import { type AvatarSettings, type Chatbot, precompiled, type TenantReader, type Tx } from "@avatar-chat/db";
import type { ChatbotSettings } from "./rules";

/** A chatbot as the dashboard and integrators see it. */
export function chatbotView(row: Chatbot) {
  return {
    id: row.id,
    name: row.name,
    persona: row.persona,
    greeting: row.greeting,
    locale: row.locale,
    model: row.model,
    temperature: row.temperature,
    maxTokens: row.max_tokens,
    avatar: row.avatar,
    voice: row.voice,
    storeVoiceInput: row.store_voice_input,
    theme: row.theme,
    allowedOrigins: row.allowed_origins,
    publicKey: row.public_key,
    published: row.published,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type ChatbotView = ReturnType<typeof chatbotView>;

// The dashboard's and integrators' most frequent read.
const listChatbotsQuery = precompiled((db, tenantId: string) =>
  db
    .selectFrom("chatbots")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id"),
);

export function listChatbots(tx: TenantReader, tenantId: string) {
  return listChatbotsQuery(tx, tenantId);
}

export function findChatbot(tx: TenantReader, tenantId: string, chatbotId: string) {
  return tx
    .selectFrom("chatbots")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .executeTakeFirst();
}

/** Locks the tenant row so concurrent creates count one after another against the plan limit. */
export async function lockTenantLimits(tx: Tx, tenantId: string) {
  return tx
    .selectFrom("tenants")
    .select(["max_chatbots", "max_knowledge_bytes", "max_messages_per_month"])
    .where("id", "=", tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function countChatbots(tx: Tx, tenantId: string): Promise<number> {
  const row = await tx
    .selectFrom("chatbots")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("tenant_id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

type SettingsColumns = Partial<{
  name: string;
  persona: string;
  greeting: string;
  locale: string;
  model: string | null;
  temperature: number;
  max_tokens: number;
  avatar: string;
  avatar_asset_id: string | null;
  theme: string;
  voice: string;
  store_voice_input: boolean;
  allowed_origins: string[];
}>;

/** Form fields → columns; only the fields given are set. */
export function settingsColumns(
  settings: {
    [K in keyof ChatbotSettings]?: ChatbotSettings[K] | undefined;
  },
): SettingsColumns {
  const columns: SettingsColumns = {};
  if (settings.name !== undefined) columns.name = settings.name;
  if (settings.persona !== undefined) columns.persona = settings.persona;
  if (settings.greeting !== undefined) columns.greeting = settings.greeting;
  if (settings.locale !== undefined) columns.locale = settings.locale;
  if (settings.model !== undefined) columns.model = settings.model;
  if (settings.temperature !== undefined) columns.temperature = settings.temperature;
  if (settings.maxTokens !== undefined) columns.max_tokens = settings.maxTokens;
  if (settings.avatar !== undefined) {
    const avatar: AvatarSettings = { kind: settings.avatar.kind };
    if (settings.avatar.assetId) avatar.assetId = settings.avatar.assetId;
    if (settings.avatar.voice) avatar.voice = settings.avatar.voice;
    columns.avatar = JSON.stringify(avatar);
    columns.avatar_asset_id = avatar.kind === "default" ? null : (avatar.assetId ?? null);
  }
  if (settings.theme !== undefined) columns.theme = JSON.stringify(settings.theme);
  if (settings.voice !== undefined) columns.voice = JSON.stringify(settings.voice);
  if (settings.storeVoiceInput !== undefined) columns.store_voice_input = settings.storeVoiceInput;
  if (settings.allowedOrigins !== undefined) columns.allowed_origins = settings.allowedOrigins;
  return columns;
}

export function insertChatbot(
  tx: Tx,
  tenantId: string,
  publicKey: string,
  columns: SettingsColumns & { name: string },
) {
  return tx
    .insertInto("chatbots")
    .values({
      avatar: JSON.stringify({ kind: "default" }),
      theme: "{}",
      ...columns,
      tenant_id: tenantId,
      public_key: publicKey,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateChatbot(
  tx: Tx,
  tenantId: string,
  chatbotId: string,
  columns: SettingsColumns,
  now: Date,
) {
  return tx
    .updateTable("chatbots")
    .set({ ...columns, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .returningAll()
    .executeTakeFirst();
}

export function setPublished(tx: Tx, tenantId: string, chatbotId: string, published: boolean, now: Date) {
  return tx
    .updateTable("chatbots")
    .set({ published, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the chatbot (its sources, chunks, visitors, conversations and usage rows cascade); returns its stored files and conversations. */
export async function deleteChatbot(tx: Tx, tenantId: string, chatbotId: string) {
  const files = await tx
    .selectFrom("knowledge_sources")
    .select("storage_key")
    .where("tenant_id", "=", tenantId)
    .where("chatbot_id", "=", chatbotId)
    .where("storage_key", "is not", null)
    .execute();
  // Visitors' kept recordings go with their conversations: rows by cascade, objects by the caller. A message
  // may name one kept before recordings had rows (migration 0011).
  const recordings = await tx
    .selectFrom("voice_inputs as r")
    .innerJoin("conversations as v", (join) =>
      join.onRef("v.id", "=", "r.conversation_id").onRef("v.tenant_id", "=", "r.tenant_id"),
    )
    .select("r.storage_key")
    .where("v.tenant_id", "=", tenantId)
    .where("v.chatbot_id", "=", chatbotId)
    .execute();
  const linked = await tx
    .selectFrom("messages as m")
    .innerJoin("conversations as v", (join) =>
      join.onRef("v.id", "=", "m.conversation_id").onRef("v.tenant_id", "=", "m.tenant_id"),
    )
    .select("m.voice_input_key as storage_key")
    .where("v.tenant_id", "=", tenantId)
    .where("v.chatbot_id", "=", chatbotId)
    .where("m.voice_input_key", "is not", null)
    .execute();
  // Named so the caller can forget their realtime channels in Redis once the delete committed.
  const conversations = await tx
    .selectFrom("conversations")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("chatbot_id", "=", chatbotId)
    .execute();
  const deleted = await tx
    .deleteFrom("chatbots")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .executeTakeFirst();
  return {
    deleted: Number(deleted.numDeletedRows) > 0,
    conversationIds: conversations.map((c) => c.id),
    storageKeys: [
      ...new Set([...files, ...recordings, ...linked].map((f) => f.storage_key).filter((k) => k !== null)),
    ],
  };
}

// Avatar assets.

/** A pending asset row; its storage key is derived from its id. */
export async function insertAvatarAsset(
  tx: Tx,
  asset: { tenantId: string; name: string; format: "glb" | "vrm"; contentType: string; sizeBytes: number },
  storageKey: (id: string) => string,
) {
  const id = crypto.randomUUID();
  return tx
    .insertInto("avatar_assets")
    .values({
      id,
      tenant_id: asset.tenantId,
      name: asset.name,
      format: asset.format,
      content_type: asset.contentType,
      size_bytes: asset.sizeBytes,
      storage_key: storageKey(id),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findAvatarAsset(tx: Tx, tenantId: string, assetId: string) {
  return tx
    .selectFrom("avatar_assets")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", assetId)
    .executeTakeFirst();
}

export function listAvatarAssets(tx: TenantReader, tenantId: string) {
  return tx
    .selectFrom("avatar_assets")
    .select(["id", "name", "format", "content_type", "size_bytes", "status", "created_at"])
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
}

/** Ready, with the size and ETag of the object as confirmed: the file served must stay that version. */
export function markAvatarReady(
  tx: Tx,
  tenantId: string,
  assetId: string,
  confirmed: { sizeBytes: number; etag: string | null },
) {
  return tx
    .updateTable("avatar_assets")
    .set({ status: "ready", size_bytes: confirmed.sizeBytes, checksum: confirmed.etag })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", assetId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the asset and resets chatbots that showed it to the default avatar. */
export async function deleteAvatarAsset(tx: Tx, tenantId: string, assetId: string, now: Date) {
  await tx
    .updateTable("chatbots")
    .set({ avatar: JSON.stringify({ kind: "default" }), avatar_asset_id: null, updated_at: now })
    .where("tenant_id", "=", tenantId)
    .where("avatar_asset_id", "=", assetId)
    .execute();
  return tx
    .deleteFrom("avatar_assets")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", assetId)
    .returning(["storage_key"])
    .executeTakeFirst();
}

/** The chatbot's id when the tenant has it: a check before writing rows that belong to it. */
export function findChatbotId(tx: Tx, tenantId: string, chatbotId: string) {
  return tx
    .selectFrom("chatbots")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", chatbotId)
    .executeTakeFirst();
}
