import type { Redis } from "ioredis";
import type { AppDeps } from "../deps";
import { type ApiKeyCache, createApiKeyCache, forgetApiKey } from "./api-keys";
import { createSessionCache, forgetUserSessions, type SessionCache } from "./session-cache";

// Every api process caches verified keys and sessions for a few seconds (api-keys.ts, session-cache.ts), and
// realtime sockets recheck their credential every few minutes. A revoked key, or a user whose sessions or memberships changed, is announced
// on this channel so that every process acts at once, not only the one that made the change.
const channelFor = (prefix: string) => `${prefix}credentials-changed`;

/** A process's caches of checked credentials: one of each per process, shared by its api and realtime. */
export interface CredentialCaches {
  apiKeys: ApiKeyCache;
  sessions: SessionCache;
}

export function createCredentialCaches(): CredentialCaches {
  return { apiKeys: createApiKeyCache(), sessions: createSessionCache() };
}

/** Tells every process that API key `keyId` was revoked (after the revocation is committed). */
export async function announceKeyRevocation(redis: Redis, prefix: string, keyId: string): Promise<void> {
  await redis.publish(channelFor(prefix), `key:${keyId}`);
}

/** Tells every process that `userId`'s sessions or memberships changed (signed out, new role, removed, left). */
export async function announceUserChange(redis: Redis, prefix: string, userId: string): Promise<void> {
  await redis.publish(channelFor(prefix), `user:${userId}`);
}

/**
 * After `userId`'s sessions or memberships changed: their cached sessions leave this process's cache now
 * (the caller's next request must see the change) and every other process's when the announcement lands.
 */
export async function userCredentialsChanged(
  deps: Pick<AppDeps, "credentials" | "redis" | "config">,
  userId: string,
) {
  forgetUserSessions(deps.credentials.sessions, userId);
  await announceUserChange(deps.redis, deps.config.redisPrefix, userId);
}

/** What every process that checks credentials does on an announcement: evict them from its caches. */
export function evictCachedCredentials(caches: CredentialCaches): CredentialChangeHandlers {
  return {
    keyRevoked: (keyId) => forgetApiKey(caches.apiKeys, keyId),
    userChanged: (userId) => forgetUserSessions(caches.sessions, userId),
  };
}

export interface CredentialChangeHandlers {
  /** Drop the key from this process's cache (`forgetApiKey`) and check its realtime sockets. */
  keyRevoked(keyId: string): void;
  /** Drop the user's sessions from this process's cache (`forgetUserSessions`) and check their sockets. */
  userChanged(userId: string): void;
}

/**
 * Calls the handler for each announcement, on `subscriber`: a connection of its own, since a subscribed
 * Redis connection can do nothing else. Returns the function that stops listening.
 */
export async function listenForCredentialChanges(
  subscriber: Redis,
  prefix: string,
  handlers: CredentialChangeHandlers,
): Promise<() => Promise<void>> {
  const channel = channelFor(prefix);
  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    const separator = message.indexOf(":");
    const [kind, id] = [message.slice(0, separator), message.slice(separator + 1)];
    if (kind === "key") handlers.keyRevoked(id);
    else if (kind === "user") handlers.userChanged(id);
  };
  subscriber.on("message", onMessage);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off("message", onMessage);
    await subscriber.unsubscribe(channel);
  };
}
