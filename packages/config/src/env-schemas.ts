import { z } from "zod";
import { isAddressOrBlock } from "./client-address";

// Empty strings in an env file mean "not set": treat them as undefined so defaults apply.
const optionalText = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

/** A comma-separated list; empty entries are dropped. */
export const commaList = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .optional()
    .transform((v) => (v === undefined ? fallback : ["true", "1", "yes"].includes(v)));

/** Where the database lives: a PostgreSQL URL, or embedded PGlite under DATA_DIR when unset. */
export const databaseEnv = z.object({
  DATABASE_URL: optionalUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /**
   * "transaction" when DATABASE_URL points at a transaction-mode pooler (PgBouncer's `pool_mode =
   * transaction`, how managed PostgreSQL is often reached): tenant settings are then made per transaction
   * and pipelined reads and prepared statements are off (docs/deploy.md says what that costs).
   */
  DATABASE_POOL_MODE: z.enum(["session", "transaction"]).default("session"),
  /** A streaming replica for reads that tolerate lag (analytics, inbox lists); unset, all reads use the primary. */
  DATABASE_REPLICA_URL: optionalUrl,
  /** Connections per process that tenant reads share in pipeline mode. */
  DATABASE_READ_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
  DATA_DIR: z.string().min(1).default(".data"),
  MIGRATE_ON_START: flag(true),
});

/** `host:port`, as a Sentinel's address is written. */
const hostPort = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$/, "must be host:port, e.g. sentinel-1:26379")
  .transform((v) => {
    const at = v.lastIndexOf(":");
    return { host: v.slice(0, at), port: Number(v.slice(at + 1)) };
  })
  .refine((address) => address.port > 0 && address.port <= 65535, "port must be 1-65535");

export const redisEnv = z.object({
  REDIS_URL: optionalUrl,
  /**
   * Sentinels watching the Redis primary (`host:port,host:port`). Set, every Redis client asks them where the
   * primary is (and again after a failover) and REDIS_URL is not used.
   */
  REDIS_SENTINELS: commaList.pipe(z.array(hostPort)),
  /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
    .default("mymaster"),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]*$/i, "letters, digits, ':', '_' and '-' only")
    .default("ac:"),
});

export const storageEnv = z.object({
  S3_ENDPOINT: optionalUrl,
  /** Where browsers reach the object store, when not at S3_ENDPOINT (upload URLs are signed for it). */
  S3_PUBLIC_ENDPOINT: optionalUrl,
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: z.string().min(3).default("avatar-chat"),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  S3_FORCE_PATH_STYLE: flag(true),
});

/** Secrets shared by api and realtime: tokens signed by one are verified by the other. */
export const secretsEnv = z.object({
  APP_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (generate one with `openssl rand -hex 32`)")
    .optional(),
});

/** Realtime node settings; unset ones take the realtime service's defaults (docs/realtime.md, limits). */
const optionalCount = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z.coerce.number().int().min(1).optional(),
);

export const realtimeEnv = z.object({
  /** Sockets one tenant may hold open across the realtime nodes (default 5,000); more are closed with 4003. */
  REALTIME_MAX_CONNECTIONS_PER_TENANT: optionalCount,
  /** Sockets one visitor may hold open on one realtime node (default 10); more are closed with 4005. */
  REALTIME_MAX_CONNECTIONS_PER_VISITOR: optionalCount,
  /** Visitor and dashboard sockets one client address may hold on one realtime node (default 200); 4005. */
  REALTIME_MAX_CONNECTIONS_PER_ADDRESS: optionalCount,
});

/**
 * Proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks, comma-separated): the load balancer
 * in front of api and realtime. Empty (the default) believes no one and uses the socket's peer.
 */
export const proxyEnv = z.object({
  TRUSTED_PROXIES: commaList.pipe(
    z.array(z.string().refine(isAddressOrBlock, "must be IP addresses or CIDR blocks, e.g. 10.0.0.0/8")),
  ),
});
