import {
  type ConnectionStatus,
  createRedisClient,
  quietConnectionStatus,
  type RedisConnection,
  watchRedis,
} from "@avatar-chat/config";
import type { Redis } from "ioredis";

/**
 * The api's Redis client. Commands issued in the same tick (rate-limit hits and events of concurrent
 * requests) leave in one write; a request fails after two retries rather than hanging while Redis is away.
 */
export function createApiRedis(
  connection: RedisConnection,
  status: ConnectionStatus = quietConnectionStatus,
): Redis {
  return watchRedis(
    createRedisClient(connection, { maxRetriesPerRequest: 2, enableAutoPipelining: true }),
    status,
  );
}
