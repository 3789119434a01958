import type { Database } from "@avatar-chat/db";
import type { Logger } from "@avatar-chat/telemetry";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { CredentialCaches } from "./auth/credential-changes";
import type { ApiConfig } from "./config";
import type { WidgetCache } from "./modules/widget";
import type { Storage } from "./storage";

export interface Queues {
  aiReply: Queue;
  kbIndex: Queue;
  email: Queue;
}

/** Everything the api needs, built once by a composition root and passed down as plain values. */
export interface AppDeps {
  db: Kysely<Database>;
  redis: Redis;
  queues: Queues;
  storage: Storage;
  config: ApiConfig;
  clock: () => Date;
  logger: Logger;
  /** Checked API keys and sessions (createCredentialCaches): one per process, shared with its realtime. */
  credentials: CredentialCaches;
  /** Published chatbots for the widget's hot reads (createWidgetCache): one per app. */
  widgetCache: WidgetCache;
  /** The widget's build output served under /widget/* (usually packages/widget/dist); unset: not served. */
  widgetDir?: string;
}
