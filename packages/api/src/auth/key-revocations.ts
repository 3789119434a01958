import type { Redis } from "ioredis";

// Every api process caches verified keys for a few seconds (api-keys.ts). A revocation is announced on
// this channel so that every process drops the key at once, not only the one that revoked it.
const channelFor = (prefix: string) => `${prefix}api-key-revoked`;

/** Tells every api process that `keyId` was revoked (after the revocation is committed). */
export async function announceKeyRevocation(redis: Redis, prefix: string, keyId: string): Promise<void> {
  await redis.publish(channelFor(prefix), keyId);
}

/**
 * Calls `onRevoked` for every announced key (to drop it from this process's cache with `forgetApiKey`, and
 * to close its realtime sockets), on `subscriber`: a connection of its own, since a subscribed Redis
 * connection can do nothing else. Returns the function that stops listening.
 */
export async function listenForKeyRevocations(
  subscriber: Redis,
  prefix: string,
  onRevoked: (keyId: string) => void,
): Promise<() => Promise<void>> {
  const channel = channelFor(prefix);
  const onMessage = (from: string, keyId: string) => {
    if (from === channel) onRevoked(keyId);
  };
  subscriber.on("message", onMessage);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off("message", onMessage);
    await subscriber.unsubscribe(channel);
  };
}
