import type { CredentialCaches } from "@avatar-chat/api/process";
import { createRealtimeAccess } from "@avatar-chat/api/realtime-access";
import { createRealtime, type Realtime, type RealtimeLimitsInput } from "@avatar-chat/realtime";
import type { PlatformEnv } from "../config";
import type { RoleContext } from "./context";

/** The realtime limits the environment sets; the others keep the service's defaults. */
function realtimeLimitsFrom(env: PlatformEnv): RealtimeLimitsInput {
  const limits: RealtimeLimitsInput = {};
  if (env.REALTIME_MAX_CONNECTIONS_PER_TENANT !== undefined)
    limits.maxConnectionsPerTenant = env.REALTIME_MAX_CONNECTIONS_PER_TENANT;
  if (env.REALTIME_MAX_CONNECTIONS_PER_VISITOR !== undefined)
    limits.maxConnectionsPerVisitor = env.REALTIME_MAX_CONNECTIONS_PER_VISITOR;
  if (env.REALTIME_MAX_CONNECTIONS_PER_ADDRESS !== undefined)
    limits.maxConnectionsPerAddress = env.REALTIME_MAX_CONNECTIONS_PER_ADDRESS;
  return limits;
}

/** The realtime role: the WebSocket service, admitting whom the api's access rules admit. */
export function startRealtimeRole(context: RoleContext, credentials: CredentialCaches): Realtime {
  const { env, config } = context;
  const access = createRealtimeAccess({
    db: context.db.kysely,
    credentials,
    appSecret: config.appSecret,
    sessionTtlMs: config.sessionTtlMs,
    clock: () => new Date(),
  });
  const realtime = createRealtime({
    redis: context.redisConnection,
    keyPrefix: config.redisPrefix,
    authenticate: access.authenticate,
    authorize: access.authorize,
    renew: access.renew,
    allowedOrigins: config.dashboardOrigins,
    trustedProxies: env.TRUSTED_PROXIES,
    limits: realtimeLimitsFrom(env),
    logger: context.logger,
  });
  context.stops.push(() => realtime.close());
  return realtime;
}
