import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { apiEnv } from "@avatar-chat/api/process";
import { databaseEnv, port, readConfig, realtimeEnv, redisEnv, storageEnv } from "@avatar-chat/config";
import { logLevels } from "@avatar-chat/telemetry";
import { z } from "zod";

const roles = ["api", "worker", "realtime"] as const;
export type Role = (typeof roles)[number];

export const platformEnv = databaseEnv
  .extend(redisEnv.shape)
  .extend(storageEnv.shape)
  .extend(apiEnv.shape)
  .extend(realtimeEnv.shape)
  .extend({
    /** Which services this process runs: all three in one process, or one each in production. */
    PLATFORM_ROLES: z
      .string()
      .default("api,worker,realtime")
      .transform((v) => v.split(",").map((s) => s.trim()))
      .pipe(z.array(z.enum(roles)).min(1)),
    /** Realtime's own port when it runs without the api in the same process. */
    REALTIME_PORT: port(3001),
    /** Where a worker-only process answers /healthz and /readyz. */
    HEALTH_PORT: port(3002),
    EMBEDDED_S3_PORT: port(0),
    SMTP_URL: z.url().optional(),
    MAIL_FROM: z.string().default("Avatar Chat <no-reply@localhost>"),
    /** Replies of one tenant generated at once across all workers; more wait their turn. */
    AI_REPLIES_PER_TENANT: z.coerce.number().int().min(1).max(1000).default(8),
    /** Knowledge sources of one tenant indexed at once across all workers. */
    KB_INDEXING_PER_TENANT: z.coerce.number().int().min(1).max(100).default(1),
    /** Days the audit log keeps an entry; the worker's hourly housekeeping prunes older ones. */
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
    LOG_LEVEL: z.enum(logLevels).default("info"),
    /** Where Prometheus scrapes /metrics; unset: no metrics listener. Not the public port. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** The metrics listener's address: loopback unless the operator opens it (compose: the private network). */
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    // Tracing is configured by OpenTelemetry's standard variables; these are the ones the platform reads
    // itself (whether to start the SDK, and its service name). The exporter reads its own.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
    OTEL_TRACES_EXPORTER: z.string().optional(),
    OTEL_SDK_DISABLED: z.string().optional(),
    OTEL_SERVICE_NAME: z.string().optional(),
    /** A request taking longer is logged as slow (while it runs and when it ends). */
    SLOW_REQUEST_MS: z.coerce.number().int().min(1).default(2000),
    /** A job running longer is logged as slow while it runs; stalled jobs are always logged. */
    SLOW_JOB_MS: z.coerce.number().int().min(1).default(120_000),
  });

export type PlatformEnv = z.output<typeof platformEnv>;

/**
 * Reads the environment once. Without APP_SECRET a random one is kept under DATA_DIR, so a local
 * platform keeps its sessions across restarts; production sets it (every process must share it).
 */
export function readPlatformEnv(env: Record<string, string | undefined> = process.env): PlatformEnv {
  // Relative to where the command was typed (pnpm runs scripts inside the package's folder).
  const dataDir = path.resolve(env.INIT_CWD ?? process.cwd(), env.DATA_DIR || ".data");
  let secret = env.APP_SECRET;
  if (!secret) {
    const file = path.resolve(dataDir, "app-secret");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
    }
    secret = readFileSync(file, "utf8").trim();
  }
  return readConfig(platformEnv, { ...env, DATA_DIR: dataDir, APP_SECRET: secret });
}
