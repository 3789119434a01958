// The published entry point: the workspace's client, bundled so integrators need no workspace source.
export { type AppRouter, type ClientOptions, createClient, MAX_BATCH_CALLS } from "@avatar-chat/api/client";
