/** Realtime channel names and the Redis keys behind them; publisher and consumers must agree on both. */
export type ChannelName = `conv:${string}` | `tenant:${string}`;

export type ParsedChannel =
  | { kind: "conversation"; conversationId: string }
  | { kind: "tenant"; tenantId: string };

// Ids are uuids or similar; a restricted alphabet keeps channel names safe inside Redis keys and logs.
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function conversationChannel(conversationId: string): ChannelName {
  return `conv:${conversationId}`;
}

export function tenantChannel(tenantId: string): ChannelName {
  return `tenant:${tenantId}`;
}

export function parseChannel(name: string): ParsedChannel | null {
  const colon = name.indexOf(":");
  if (colon < 0) return null;
  const kind = name.slice(0, colon);
  const id = name.slice(colon + 1);
  if (!idPattern.test(id)) return null;
  if (kind === "conv") return { kind: "conversation", conversationId: id };
  if (kind === "tenant") return { kind: "tenant", tenantId: id };
  return null;
}

/** Redis keys of one channel. `prefix` namespaces everything (tests use a random one per file). */
export interface ChannelKeys {
  /** INCR counter holding the channel's last event id. */
  sequence: string;
  /** Capped Redis Stream with every recent envelope, entry id `<event id>-0`. */
  stream: string;
  /** Pub/sub channel carrying the serialized envelopes live. */
  pubsub: string;
}

export function channelKeys(channel: string, prefix = ""): ChannelKeys {
  return {
    sequence: `${prefix}rt:seq:${channel}`,
    stream: `${prefix}rt:stream:${channel}`,
    pubsub: `${prefix}rt:pub:${channel}`,
  };
}
