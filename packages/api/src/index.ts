export { createApp } from "./app";
export { type ApiConfig, type ApiEnv, apiConfigFrom, apiEnv } from "./config";
export type { AppDeps, Logger, Queues } from "./deps";
export type { AppRouter } from "./root";
export { appRouter } from "./root";
export { createStorage, type Storage, type StorageConfig } from "./storage";
