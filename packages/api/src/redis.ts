import { type ConnectionStatus, quietConnectionStatus, watchRedis } from "@avatar-chat/config";
import { Redis } from "ioredis";

/**
 * The api's Redis client. Commands issued in the same tick (rate-limit hits and events of concurrent
 * requests) leave in one write; a request fails after two retries rather than hanging while Redis is away.
 */
export function createApiRedis(url: string, status: ConnectionStatus = quietConnectionStatus): Redis {
  return watchRedis(new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true }), status);
}
