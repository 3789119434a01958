import { Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is: one server's URL, or ioredis options (a Sentinel-watched primary: `sentinels` and `name`).
 * Every client of every role is made from it by `createRedisClient`, BullMQ's from `redisOptionsOf`.
 */
export type RedisConnection = string | RedisOptions;

export interface SentinelAddress {
  host: string;
  port: number;
}

/** A Redis URL (`redis://[user:password@]host:port[/db]`, `rediss:` for TLS) as ioredis options. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

// After a failover a client can still be connected to the old primary, which Sentinel turned into a replica:
// its writes answer READONLY. Reconnecting asks the Sentinels again and reaches the new primary; the command
// is sent again there. (ioredis's `failoverDetector` stays off: in the fleet test a worker whose clients had
// it never reconnected after a failover, while clients without it always did.)
const sentinelDefaults: RedisOptions = {
  reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
};

/** ioredis options for `connection`; a Sentinel connection gets the settings a failover needs. */
export function redisOptionsOf(connection: RedisConnection): RedisOptions {
  if (typeof connection === "string") return urlOptions(connection);
  return connection.sentinels ? { ...sentinelDefaults, ...connection } : connection;
}

/** The one way a Redis client is made: `connection` plus this client's own `options`. */
export function createRedisClient(connection: RedisConnection, options: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptionsOf(connection), ...options });
}

/**
 * The deployment's Redis from its settings: the primary the Sentinels name `sentinelName` when
 * `sentinels` are given, else `url`.
 */
export function redisConnectionFrom(settings: {
  url: string;
  sentinels: readonly SentinelAddress[];
  sentinelName: string;
}): RedisConnection {
  if (settings.sentinels.length === 0) return settings.url;
  return { sentinels: [...settings.sentinels], name: settings.sentinelName };
}

/** Where a connection leads, for banners and logs (no password). */
export function describeRedis(connection: RedisConnection): string {
  if (typeof connection === "string") {
    const url = new URL(connection);
    url.password = "";
    return url.toString();
  }
  const { sentinels, name } = redisOptionsOf(connection);
  if (sentinels)
    return `primary "${name}" via Sentinels ${sentinels.map((s) => `${s.host}:${s.port}`).join(",")}`;
  return `${connection.host ?? "127.0.0.1"}:${connection.port ?? 6379}`;
}
