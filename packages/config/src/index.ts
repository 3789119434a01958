export { type ClientAddressOf, clientAddressResolver } from "./client-address";
export {
  type ConnectionStatus,
  connectionStatus,
  isDependencyUnavailable,
  type OutageLogger,
  quietConnectionStatus,
  watchRedis,
} from "./dependency-outage";
export {
  commaList,
  databaseEnv,
  flag,
  port,
  proxyEnv,
  realtimeEnv,
  redisEnv,
  secretsEnv,
  storageEnv,
} from "./env-schemas";
export { ConfigError, readConfig } from "./read-config";
export {
  createRedisClient,
  describeRedis,
  type RedisConnection,
  redisConnectionFrom,
  redisOptionsOf,
  type SentinelAddress,
} from "./redis-connection";
