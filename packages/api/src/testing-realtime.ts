import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRealtime, type RealtimeLimitsInput } from "@avatar-chat/realtime";
import { createRealtimeAccess } from "./realtime-access";
import { TEST_REDIS_URL, type TestPlatform } from "./testing";

/**
 * The realtime service with the api's access checks, attached as in embedded mode to a server that
 * answers plain HTTP; for tests that speak to the socket of a test platform.
 */
export async function attachTestRealtime(platform: TestPlatform, limits?: RealtimeLimitsInput) {
  const access = createRealtimeAccess({
    db: platform.deps.db,
    credentials: platform.deps.credentials,
    appSecret: platform.deps.config.appSecret,
    sessionTtlMs: platform.deps.config.sessionTtlMs,
    clock: () => new Date(),
  });
  const realtime = createRealtime({
    redis: TEST_REDIS_URL,
    keyPrefix: platform.deps.config.redisPrefix,
    authenticate: access.authenticate,
    authorize: access.authorize,
    allowedOrigins: platform.deps.config.dashboardOrigins,
    ...(limits ? { limits } : {}),
  });
  const server = createServer((_req, res) => res.end("api"));
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await realtime.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
