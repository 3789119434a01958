export { createApp } from "./app";
export {
  type CredentialCaches,
  createCredentialCaches,
  evictCachedCredentials,
  listenForCredentialChanges,
} from "./auth/credential-changes";
export { type ApiConfig, type ApiEnv, apiConfigFrom, apiEnv } from "./config";
export type { AppDeps, Queues } from "./deps";
export { startEmbeddedS3 } from "./embedded-s3";
export { healthRoutes } from "./http/health";
export { serveHttp } from "./http/serve-http";
export { providerSettingsFor } from "./modules/ai";
export { createWidgetCache } from "./modules/widget";
export { createApiRedis } from "./redis";
export type { AppRouter } from "./root";
export { appRouter } from "./root";
export { createStorage, type Storage, type StorageConfig } from "./storage";
