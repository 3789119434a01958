import type { Kysely } from "kysely";
import { runStatements } from "./run-statements";

// The whole product's schema in one forward-only step. Later changes add new files; none edits this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
create extension if not exists vector;

create table tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 120),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  plan text not null default 'free' check (plan in ('free', 'pro', 'business')),
  max_chatbots integer not null default 3 check (max_chatbots >= 0),
  max_messages_per_month integer not null default 1000 check (max_messages_per_month >= 0),
  max_knowledge_bytes bigint not null default 52428800 check (max_knowledge_bytes >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and position('@' in email) > 1),
  name text not null default '',
  password_hash text not null,
  email_verified_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email);

create table memberships (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'member')),
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null,
  role text not null check (role in ('admin', 'member')),
  token_hash bytea not null unique,
  invited_by uuid references users (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_tenant_idx on invitations (tenant_id, created_at desc);

-- Lucia-style sessions: the token is "<id>.<secret>"; only the secret's SHA-256 is stored.
create table sessions (
  id text primary key,
  secret_hash bytea not null,
  user_id uuid not null references users (id) on delete cascade,
  active_tenant_id uuid references tenants (id) on delete set null,
  user_agent text,
  ip text,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 80),
  prefix text not null,
  key_hash bytea not null unique,
  scopes text[] not null check (scopes <@ array['read', 'write', 'chat']::text[] and cardinality(scopes) > 0),
  created_by uuid references users (id) on delete set null,
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index api_keys_tenant_idx on api_keys (tenant_id, created_at desc);

-- Per-tenant model provider; the key is encrypted by the api (AES-GCM under APP_SECRET), never stored in clear.
create table ai_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  provider text not null default 'offline' check (provider in ('offline', 'openai')),
  base_url text,
  api_key_encrypted text,
  chat_model text,
  embedding_model text,
  updated_at timestamptz not null default now()
);

create table avatar_assets (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null,
  format text not null check (format in ('glb', 'vrm')),
  storage_key text not null,
  content_type text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  checksum text,
  status text not null default 'pending' check (status in ('pending', 'ready')),
  created_at timestamptz not null default now()
);
create index avatar_assets_tenant_idx on avatar_assets (tenant_id, created_at desc);

create table chatbots (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 80),
  persona text not null default '',
  greeting text not null default '',
  locale text not null default 'en',
  model text,
  temperature real not null default 0.3 check (temperature between 0 and 2),
  max_tokens integer not null default 600 check (max_tokens between 16 and 8192),
  avatar jsonb not null default '{"kind": "default"}',
  avatar_asset_id uuid references avatar_assets (id) on delete set null,
  theme jsonb not null default '{}',
  allowed_origins text[] not null default '{}',
  public_key text not null unique,
  published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index chatbots_tenant_idx on chatbots (tenant_id, created_at desc);

create table knowledge_sources (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid not null references chatbots (id) on delete cascade,
  kind text not null check (kind in ('file', 'url', 'text')),
  title text not null,
  url text,
  storage_key text,
  content_type text,
  status text not null default 'pending' check (status in ('pending', 'indexing', 'ready', 'failed')),
  error text,
  size_bytes bigint not null default 0 check (size_bytes >= 0),
  checksum text,
  chunk_count integer not null default 0,
  indexed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index knowledge_sources_chatbot_idx on knowledge_sources (tenant_id, chatbot_id, created_at desc);

create table knowledge_chunks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid not null references chatbots (id) on delete cascade,
  source_id uuid not null references knowledge_sources (id) on delete cascade,
  ordinal integer not null,
  content text not null,
  metadata jsonb not null default '{}',
  token_count integer not null default 0,
  embedding vector(256) not null,
  tsv tsvector generated always as (to_tsvector('english', content)) stored,
  created_at timestamptz not null default now(),
  unique (source_id, ordinal)
);
create index knowledge_chunks_scope_idx on knowledge_chunks (tenant_id, chatbot_id);
create index knowledge_chunks_tsv_idx on knowledge_chunks using gin (tsv);
create index knowledge_chunks_embedding_idx on knowledge_chunks using hnsw (embedding vector_cosine_ops)
  with (m = 16, ef_construction = 64);

create table visitors (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid not null references chatbots (id) on delete cascade,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index visitors_chatbot_idx on visitors (tenant_id, chatbot_id);

create table conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid not null references chatbots (id) on delete cascade,
  visitor_id uuid references visitors (id) on delete set null,
  channel text not null default 'widget' check (channel in ('widget', 'api', 'dashboard')),
  status text not null default 'open' check (status in ('open', 'closed')),
  handoff text not null default 'bot' check (handoff in ('bot', 'requested', 'agent')),
  assigned_user_id uuid references users (id) on delete set null,
  title text not null default '',
  message_count integer not null default 0,
  last_message_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
create index conversations_inbox_idx on conversations (tenant_id, last_message_at desc, id);
create index conversations_chatbot_idx on conversations (tenant_id, chatbot_id, last_message_at desc);
create index conversations_visitor_idx on conversations (visitor_id, last_message_at desc);

create table messages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  role text not null check (role in ('user', 'assistant', 'agent', 'system')),
  content text not null,
  -- The user message an assistant reply answers: unique, so a retried job cannot write a second reply.
  reply_to uuid references messages (id) on delete cascade,
  client_message_id text,
  author_user_id uuid references users (id) on delete set null,
  status text not null default 'complete' check (status in ('complete', 'stopped', 'failed')),
  citations jsonb not null default '[]',
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  first_token_ms integer,
  total_ms integer,
  feedback smallint check (feedback in (-1, 1)),
  feedback_comment text,
  created_at timestamptz not null default now()
);
create index messages_conversation_idx on messages (conversation_id, created_at, id);
create unique index messages_reply_to_key on messages (reply_to) where reply_to is not null;
create unique index messages_client_id_key on messages (conversation_id, client_message_id)
  where client_message_id is not null;

create table usage_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid references chatbots (id) on delete cascade,
  conversation_id uuid references conversations (id) on delete set null,
  message_id uuid references messages (id) on delete set null,
  kind text not null check (kind in ('conversation', 'user_message', 'assistant_message', 'feedback', 'unanswered')),
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  latency_ms integer,
  value integer not null default 1,
  detail jsonb not null default '{}',
  occurred_at timestamptz not null default now()
);
create index usage_events_rollup_idx on usage_events (occurred_at, id);
create index usage_events_tenant_idx on usage_events (tenant_id, occurred_at);

create table usage_daily (
  tenant_id uuid not null references tenants (id) on delete cascade,
  chatbot_id uuid not null references chatbots (id) on delete cascade,
  day date not null,
  conversations integer not null default 0,
  user_messages integer not null default 0,
  assistant_messages integer not null default 0,
  prompt_tokens bigint not null default 0,
  completion_tokens bigint not null default 0,
  latency_p50_ms integer,
  latency_p95_ms integer,
  feedback_up integer not null default 0,
  feedback_down integer not null default 0,
  unanswered integer not null default 0,
  unanswered_questions jsonb not null default '[]',
  updated_at timestamptz not null default now(),
  primary key (tenant_id, chatbot_id, day)
);

-- Quota counter: one row per tenant and month, incremented with each visitor message.
create table usage_monthly (
  tenant_id uuid not null references tenants (id) on delete cascade,
  month date not null,
  messages integer not null default 0,
  primary key (tenant_id, month)
);

create table audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  actor_user_id uuid references users (id) on delete set null,
  actor_api_key_id uuid references api_keys (id) on delete set null,
  action text not null,
  target_type text,
  target_id text,
  ip text,
  detail jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index audit_log_tenant_idx on audit_log (tenant_id, created_at desc, id desc);

create table email_outbox (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid references tenants (id) on delete cascade,
  kind text not null,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_outbox_pending_idx on email_outbox (created_at) where status = 'pending';
`,
  );
}
