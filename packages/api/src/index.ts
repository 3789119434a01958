export { createApp } from "./app";
export { type ApiConfig, type ApiEnv, apiConfigFrom, apiEnv } from "./config";
export type { AppDeps, Logger, Queues } from "./deps";
export { startEmbeddedS3 } from "./embedded-s3";
export { providerSettingsFor } from "./modules/ai/provider-settings";
export { createRealtimeAccess, type RealtimeAccess, type RealtimeAccessDeps } from "./realtime-access";
export type { AppRouter } from "./root";
export { appRouter } from "./root";
export { createStorage, type Storage, type StorageConfig } from "./storage";
