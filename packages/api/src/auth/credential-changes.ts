import type { Redis } from "ioredis";

// Every api process caches verified keys for a few seconds (api-keys.ts), and realtime sockets recheck their
// credential every few minutes. A revoked key, or a user whose sessions or memberships changed, is announced
// on this channel so that every process acts at once, not only the one that made the change.
const channelFor = (prefix: string) => `${prefix}credentials-changed`;

/** Tells every process that API key `keyId` was revoked (after the revocation is committed). */
export async function announceKeyRevocation(redis: Redis, prefix: string, keyId: string): Promise<void> {
  await redis.publish(channelFor(prefix), `key:${keyId}`);
}

/** Tells every process that `userId`'s sessions or memberships changed (signed out, removed, left). */
export async function announceUserChange(redis: Redis, prefix: string, userId: string): Promise<void> {
  await redis.publish(channelFor(prefix), `user:${userId}`);
}

export interface CredentialChangeHandlers {
  /** Drop the key from this process's cache (`forgetApiKey`) and check its realtime sockets. */
  keyRevoked(keyId: string): void;
  /** Check the user's realtime sockets (their sessions are read on every request anyway). */
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
