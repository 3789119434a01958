// The api's app and router. What a process needs without them has its own entry: `/process` (settings,
// Redis, HTTP server, health, credential caches), `/object-storage`, `/provider-settings`, `/realtime-access`.
export { createApp } from "./app";
export type { AppDeps, Queues } from "./deps";
export { createWidgetCache } from "./modules/widget";
export type { AppRouter } from "./root";
export { appRouter } from "./root";
