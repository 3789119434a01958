import type { ApiConfig } from "@avatar-chat/api/process";
import type { RedisConnection } from "@avatar-chat/config";
import type { Db } from "@avatar-chat/db";
import type { Logger, Metrics, NamedRedisClient } from "@avatar-chat/telemetry";
import type { PlatformEnv } from "../config";

/** What startPlatform built once for every role of the process, and where a role records what it started. */
export interface RoleContext {
  env: PlatformEnv;
  db: Db;
  redisConnection: RedisConnection;
  config: ApiConfig;
  logger: Logger;
  metrics: Metrics | undefined;
  /** Run in reverse order on close. */
  stops: Array<() => Promise<unknown>>;
  banner: string[];
  /** This process's own Redis clients, by name, for the client gauges. */
  redisClients: NamedRedisClient[];
}
