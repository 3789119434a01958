import { type ProviderNetworkPolicy, privateHostEntrySchema } from "@avatar-chat/ai/network-policy";
import { commaList, flag, port, proxyEnv } from "@avatar-chat/config";
import { z } from "zod";

export const apiEnv = z
  .object({
    API_PORT: port(3000),
    /** The URL browsers reach the API at; widget scripts, embed snippets and links use it. */
    PUBLIC_URL: z.url().default("http://localhost:3000"),
    /** Origins allowed to use session cookies (the dashboard); PUBLIC_URL's origin always is. */
    DASHBOARD_ORIGINS: commaList.pipe(z.array(z.url())),
    /** Where browsers reach realtime; default: PUBLIC_URL with ws(s):// and path /realtime. */
    REALTIME_PUBLIC_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
    APP_SECRET: z
      .string()
      .min(32, "must be at least 32 characters (generate one with `openssl rand -hex 32`)"),
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    VISITOR_TOKEN_TTL_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
    /** Secure cookies need https; embedded local runs on http://localhost turn it off automatically. */
    COOKIE_SECURE: flag(true),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(26_214_400),
    /** Private hosts (`host[:port]`, comma-separated) tenants' AI provider base URLs may reach, e.g. a local Ollama. */
    AI_ALLOWED_PRIVATE_HOSTS: commaList.pipe(z.array(privateHostEntrySchema)),
    /** Any private address for AI providers: only for a single-tenant, self-hosted platform. */
    AI_ALLOW_PRIVATE_NETWORK: flag(false),
  })
  .extend(proxyEnv.shape);

export type ApiEnv = z.output<typeof apiEnv>;

export interface ApiConfig {
  publicUrl: string;
  /** The realtime service's socket URL handed to widgets and the dashboard. */
  realtimeUrl: string;
  dashboardOrigins: string[];
  appSecret: string;
  sessionTtlMs: number;
  visitorTokenTtlSeconds: number;
  cookieSecure: boolean;
  maxBodyBytes: number;
  maxUploadBytes: number;
  redisPrefix: string;
  /** Which non-public addresses tenants' AI provider base URLs may reach (checked on save and on every call). */
  aiNetwork: ProviderNetworkPolicy;
  /** Proxies whose X-Forwarded-For names the client (rate limits, audit log); none by default. */
  trustedProxies?: readonly string[];
}

export function apiConfigFrom(env: ApiEnv, redisPrefix: string): ApiConfig {
  const publicOrigin = new URL(env.PUBLIC_URL).origin;
  return {
    publicUrl: env.PUBLIC_URL.replace(/\/$/, ""),
    realtimeUrl: env.REALTIME_PUBLIC_URL ?? realtimeUrlFor(env.PUBLIC_URL),
    dashboardOrigins: [...new Set([publicOrigin, ...env.DASHBOARD_ORIGINS.map((o) => new URL(o).origin)])],
    appSecret: env.APP_SECRET,
    sessionTtlMs: env.SESSION_TTL_DAYS * 86_400_000,
    visitorTokenTtlSeconds: env.VISITOR_TOKEN_TTL_MINUTES * 60,
    cookieSecure: env.COOKIE_SECURE && !publicOrigin.startsWith("http://"),
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    redisPrefix,
    aiNetwork: {
      allowedPrivateHosts: env.AI_ALLOWED_PRIVATE_HOSTS,
      allowPrivateNetwork: env.AI_ALLOW_PRIVATE_NETWORK,
    },
    trustedProxies: env.TRUSTED_PROXIES,
  };
}

/** By default realtime shares the api's public host, under /realtime. */
export function realtimeUrlFor(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, "").replace(/^http/, "ws")}/realtime`;
}
