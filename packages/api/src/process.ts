// What a platform process runs of the api whatever its roles: its settings, Redis client, HTTP server,
// health routes and security headers, and the credential caches the api and realtime share. Loads no
// router, tRPC or S3 client, so a realtime-only or worker-only process stays small (import-boundaries.test.ts).
export {
  type CredentialCaches,
  createCredentialCaches,
  evictCachedCredentials,
  listenForCredentialChanges,
} from "./auth/credential-changes";
export { type ApiConfig, type ApiEnv, apiConfigFrom, apiEnv } from "./config";
export { healthRoutes } from "./http/health";
export { SECURITY_HEADERS, securityHeaders } from "./http/security-headers";
export { serveHttp } from "./http/serve-http";
export { createApiRedis } from "./redis";
