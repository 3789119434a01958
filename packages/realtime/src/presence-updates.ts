import type { Redis } from "ioredis";
import {
  type PresenceEntry,
  publishPresence,
  removePresence,
  sweepPresence,
  touchPresence,
} from "./presence";

/** A node's writes to presence: each change is followed by the scope's new snapshot. */
export function createPresenceUpdates(options: {
  redis: Redis;
  prefix: string;
  ttlMs: number;
  streamMaxLen: number;
}) {
  const { redis, prefix, ttlMs, streamMaxLen } = options;
  return {
    async add(entry: PresenceEntry): Promise<void> {
      await touchPresence(redis, prefix, [entry], Date.now() + ttlMs);
      await publishPresence(redis, prefix, entry.scope, streamMaxLen);
    },
    async drop(entry: PresenceEntry): Promise<void> {
      await removePresence(redis, prefix, entry);
      await publishPresence(redis, prefix, entry.scope, streamMaxLen);
    },
    /** Heartbeat: extends this node's entries, then drops every node's lapsed ones and announces who left. */
    async refresh(entries: readonly PresenceEntry[]): Promise<void> {
      await touchPresence(redis, prefix, entries, Date.now() + ttlMs);
      for (const scope of await sweepPresence(redis, prefix)) {
        await publishPresence(redis, prefix, scope, streamMaxLen);
      }
    },
  };
}

export type PresenceUpdates = ReturnType<typeof createPresenceUpdates>;
