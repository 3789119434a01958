import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

// Hand-written to match the migrations; schema.test.ts compares it with the live database.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Id = Generated<string>;

export type Plan = "free" | "pro" | "business";
export type Role = "owner" | "admin" | "member";
export type ApiKeyScope = "read" | "write" | "chat";
export type KnowledgeKind = "file" | "url" | "text";
export type KnowledgeStatus = "pending" | "indexing" | "ready" | "failed";
export type MessageRole = "user" | "assistant" | "agent" | "system";
export type Handoff = "bot" | "requested" | "agent";
export type UsageKind =
  | "conversation"
  | "user_message"
  | "assistant_message"
  | "feedback"
  | "unanswered"
  | "transcription";

export interface Citation {
  sourceId: string;
  chunkId?: string;
  title: string;
  snippet: string;
  url?: string | null;
}

export interface AvatarSettings {
  kind: "default" | "glb" | "vrm";
  assetId?: string;
  voice?: string;
  [key: string]: unknown;
}

/** Protocol's VoiceSettings; the api validates it before it is written. */
export interface VoiceSettingsColumn {
  provider: "off" | "offline" | "ai";
  voice: string;
  speed: number;
}

export interface ThemeSettings {
  primaryColor?: string;
  position?: "bottom-right" | "bottom-left";
  dark?: boolean;
  [key: string]: unknown;
}

export interface TenantsTable {
  id: Id;
  name: string;
  slug: string;
  plan: Generated<Plan>;
  max_chatbots: Generated<number>;
  max_messages_per_month: Generated<number>;
  max_knowledge_bytes: Generated<number>;
  /** Days after its last message a conversation is deleted (housekeeping); null: kept until deleted. */
  conversation_retention_days: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Id;
  email: string;
  name: Generated<string>;
  password_hash: string;
  email_verified_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  tenant_id: string;
  user_id: string;
  role: Role;
  /** Emails when a visitor asks for a person; null: the role's default (owners and admins). */
  notify_human_requests: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  created_at: CreatedAt;
}

export interface InvitationsTable {
  id: Id;
  tenant_id: string;
  email: string;
  role: Exclude<Role, "owner">;
  token_hash: Uint8Array;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  active_tenant_id: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date;
}

export interface ApiKeysTable {
  id: Id;
  tenant_id: string;
  name: string;
  prefix: string;
  key_hash: Uint8Array;
  scopes: ApiKeyScope[];
  created_by: string | null;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface AiSettingsTable {
  tenant_id: string;
  provider: Generated<"offline" | "openai">;
  base_url: string | null;
  api_key_encrypted: string | null;
  chat_model: string | null;
  embedding_model: string | null;
  updated_at: Timestamp;
}

export interface AvatarAssetsTable {
  id: Id;
  tenant_id: string;
  name: string;
  format: "glb" | "vrm";
  storage_key: string;
  content_type: string;
  size_bytes: number;
  checksum: string | null;
  status: Generated<"pending" | "ready">;
  created_at: CreatedAt;
}

export interface ChatbotsTable {
  id: Id;
  tenant_id: string;
  name: string;
  persona: Generated<string>;
  greeting: Generated<string>;
  locale: Generated<string>;
  model: string | null;
  temperature: Generated<number>;
  max_tokens: Generated<number>;
  avatar: Json<AvatarSettings>;
  avatar_asset_id: string | null;
  theme: Json<ThemeSettings>;
  voice: ColumnType<VoiceSettingsColumn, string | undefined, string>;
  /** Keep visitors' recordings (object store, linked from their message); off: transcribe and forget. */
  store_voice_input: Generated<boolean>;
  allowed_origins: Generated<string[]>;
  public_key: string;
  published: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface KnowledgeSourcesTable {
  id: Id;
  tenant_id: string;
  chatbot_id: string;
  kind: KnowledgeKind;
  title: string;
  url: string | null;
  storage_key: string | null;
  content_type: string | null;
  status: Generated<KnowledgeStatus>;
  error: string | null;
  size_bytes: Generated<number>;
  checksum: string | null;
  chunk_count: Generated<number>;
  indexed_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface KnowledgeChunksTable {
  id: Id;
  tenant_id: string;
  chatbot_id: string;
  source_id: string;
  ordinal: number;
  content: string;
  metadata: Json<Record<string, unknown>>;
  token_count: Generated<number>;
  /** pgvector text form `[x,y,...]`; write with `toVector()` from this package. */
  embedding: string;
  tsv: ColumnType<string | null, never, never>;
  created_at: CreatedAt;
}

export interface VisitorsTable {
  id: Id;
  tenant_id: string;
  chatbot_id: string;
  metadata: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
}

export interface ConversationsTable {
  id: Id;
  tenant_id: string;
  chatbot_id: string;
  visitor_id: string | null;
  channel: Generated<"widget" | "api" | "dashboard">;
  status: Generated<"open" | "closed">;
  handoff: Generated<Handoff>;
  assigned_user_id: string | null;
  title: Generated<string>;
  message_count: Generated<number>;
  last_message_at: Timestamp;
  created_at: CreatedAt;
}

export interface MessagesTable {
  id: Id;
  tenant_id: string;
  conversation_id: string;
  role: MessageRole;
  content: string;
  reply_to: string | null;
  client_message_id: string | null;
  author_user_id: string | null;
  status: Generated<"complete" | "stopped" | "failed">;
  citations: Json<Citation[]>;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  first_token_ms: number | null;
  total_ms: number | null;
  feedback: -1 | 1 | null;
  feedback_comment: string | null;
  /** The object-store key of the recording this visitor message was spoken as (stored only when the chatbot keeps them). */
  voice_input_key: string | null;
  created_at: CreatedAt;
}

export interface UsageEventsTable {
  id: Generated<number>;
  tenant_id: string;
  chatbot_id: string | null;
  conversation_id: string | null;
  message_id: string | null;
  kind: UsageKind;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  latency_ms: number | null;
  value: Generated<number>;
  detail: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
}

export interface UsageDailyTable {
  tenant_id: string;
  chatbot_id: string;
  day: ColumnType<string, string, string>;
  conversations: Generated<number>;
  user_messages: Generated<number>;
  assistant_messages: Generated<number>;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  feedback_up: Generated<number>;
  feedback_down: Generated<number>;
  unanswered: Generated<number>;
  unanswered_questions: Json<string[]>;
  transcriptions: Generated<number>;
  updated_at: Timestamp;
}

/** A visitor's recording kept in the object store (the chatbot's `storeVoiceInput`); message_id once a message links it. */
export interface VoiceInputsTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  storage_key: string;
  message_id: string | null;
  created_at: CreatedAt;
}

export interface UsageMonthlyTable {
  tenant_id: string;
  month: ColumnType<string, string, string>;
  messages: Generated<number>;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface EmailOutboxTable {
  id: Id;
  tenant_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: Generated<"pending" | "sent" | "failed">;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Date | null;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  ai_settings: AiSettingsTable;
  avatar_assets: AvatarAssetsTable;
  chatbots: ChatbotsTable;
  knowledge_sources: KnowledgeSourcesTable;
  knowledge_chunks: KnowledgeChunksTable;
  visitors: VisitorsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  usage_monthly: UsageMonthlyTable;
  audit_log: AuditLogTable;
  email_outbox: EmailOutboxTable;
  voice_inputs: VoiceInputsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Chatbot = Selectable<ChatbotsTable>;
export type NewChatbot = Insertable<ChatbotsTable>;
export type ChatbotUpdate = Updateable<ChatbotsTable>;
export type KnowledgeSource = Selectable<KnowledgeSourcesTable>;
export type KnowledgeChunk = Selectable<KnowledgeChunksTable>;
/**
 * Views the inbox reads (migration 0008): the current tenant's rows, read with the owner's rights so its
 * order and its search can use their indexes. Not in `Database`: only the inbox's query names them.
 */
export type InboxViews = {
  inbox_conversations: Pick<
    ConversationsTable,
    "tenant_id" | "id" | "chatbot_id" | "status" | "handoff" | "last_message_at"
  >;
  inbox_message_texts: Pick<MessagesTable, "tenant_id" | "conversation_id" | "content">;
};

export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
