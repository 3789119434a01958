// The all-in-one process `pnpm start` runs (api, worker and realtime in one process, the request log
// included) as a server under test of the api bench (packages/api/bench/api-bench.ts forks this file):
// on the suite's PostgreSQL database and Redis prefix, embedded object storage in a temporary folder;
// with `otlpEndpoint`, tracing on and exporting there. Sends { type: "listening", port } over IPC.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readPlatformEnv } from "../src/config";
import { startPlatform } from "../src/start-platform";

const options = JSON.parse(process.argv[2]!) as {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  appSecret: string;
  otlpEndpoint?: string;
};
// The OTLP exporter reads its endpoint from the environment itself.
if (options.otlpEndpoint) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = options.otlpEndpoint;
const platform = await startPlatform(
  readPlatformEnv({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.prefix,
    APP_SECRET: options.appSecret,
    API_PORT: "0",
    PUBLIC_URL: "http://127.0.0.1",
    DASHBOARD_ORIGINS: "http://dashboard.bench",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "bench-platform-")),
    LOG_LEVEL: "error",
    ...(options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint } : {}),
  }),
);
process.send?.({ type: "listening", port: Number(new URL(platform.url!).port) });
process.on("SIGTERM", () => void platform.close().then(() => process.exit(0)));
