import { channelKeys, envelopeId, readEventsSince } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";

/** One socket's membership of one channel. Plain data: the fan-out's callbacks receive its owner. */
export interface Subscription<Owner> {
  readonly channel: string;
  readonly owner: Owner;
  /** Highest id sent to the socket; ids arrive strictly increasing with no gaps after it. */
  lastSent: number;
  /** Non-null while reading the stream: live events wait here so nothing overtakes the backfill. */
  buffer: (string | Buffer)[] | null;
  closed: boolean;
}

interface ChannelState<Owner> {
  readonly subscriptions: Set<Subscription<Owner>>;
  /** Settles when the Redis SUBSCRIBE has been acknowledged. */
  subscribed: Promise<unknown>;
}

export interface FanoutDeps<Owner> {
  /** Connection in subscriber mode, created with `autoResubscribe: false` (we resubscribe and backfill). */
  subscriber: Redis;
  /** Connection for stream reads. */
  commands: Redis;
  prefix: string;
  onError(error: unknown, context: string): void;
  // One set of callbacks for every subscription: closures per subscription would cost memory on each idle socket.
  send(owner: Owner, data: string | Buffer): void;
  /** Ids in (fromId, toId) are gone from the capped stream. */
  onGap(owner: Owner, channel: string, fromId: number, toId: number): void;
  /** Redis lost the channel (restart without persistence): ids start again at 1, the feed restarts at 0. */
  onRestart(owner: Owner, channel: string): void;
}

export interface JoinResult<Owner> {
  subscription: Subscription<Owner>;
  /** Where the socket's feed starts: events with larger ids follow. */
  startId: number;
  /** The channel's last id, read once the Redis SUBSCRIBE was acknowledged. */
  sequence: number;
}

/**
 * Redis → sockets. One Redis subscription per channel per node, shared by every local socket that joined it
 * and dropped with the last one. Each socket keeps its own cursor (`lastSent`): an event is sent when it is
 * exactly the next id, dropped when already sent, and a jump (lost pub/sub message, e.g. during a Redis
 * reconnect) makes that socket read the missing ids from the channel's stream before going on.
 */
export function createFanout<Owner>(deps: FanoutDeps<Owner>) {
  const { subscriber, commands, prefix } = deps;
  const channels = new Map<string, ChannelState<Owner>>();
  const channelByPubsubKey = new Map<string, string>();
  let delivered = 0;
  let resyncs = 0;
  // Subscriptions that asked to resume behind the channel's head, and the events replayed to them.
  let resumes = 0;
  let replayed = 0;

  function offer(sub: Subscription<Owner>, id: number, data: string | Buffer): void {
    if (sub.buffer) {
      sub.buffer.push(data);
      return;
    }
    if (id <= sub.lastSent) return;
    if (id === sub.lastSent + 1) {
      sub.lastSent = id;
      delivered++;
      deps.send(sub.owner, data);
      return;
    }
    sub.buffer = [data];
    void backfill(sub);
  }

  subscriber.on("messageBuffer", (key: Buffer, data: Buffer) => {
    const channel = channelByPubsubKey.get(key.toString());
    const state = channel === undefined ? undefined : channels.get(channel);
    if (!state) return;
    const id = envelopeId(data);
    for (const sub of state.subscriptions) offer(sub, id, data);
  });

  /** Sends the stream entries after `sub.lastSent`, then whatever arrived live meanwhile. */
  async function backfill(sub: Subscription<Owner>): Promise<void> {
    try {
      let read = await readEventsSince(commands, sub.channel, sub.lastSent, { prefix });
      if (sub.closed) return;
      if (read.sequence < sub.lastSent) {
        sub.lastSent = 0;
        deps.onRestart(sub.owner, sub.channel);
        read = await readEventsSince(commands, sub.channel, 0, { prefix });
        if (sub.closed) return;
      }
      if (read.missingUpTo > sub.lastSent) {
        deps.onGap(sub.owner, sub.channel, sub.lastSent, read.missingUpTo + 1);
        sub.lastSent = read.missingUpTo;
      }
      release(sub, read.entries);
    } catch (error) {
      // Redis is down: keep buffering; `resync` runs again once the subscriber is back.
      deps.onError(error, "backfill");
    }
  }

  /** Sends `entries` (read from the stream), then what arrived live meanwhile, and ends buffering. */
  function release(sub: Subscription<Owner>, entries: readonly (string | Buffer)[]): void {
    const waiting = sub.buffer ?? [];
    sub.buffer = null;
    for (const entry of entries) offer(sub, envelopeId(entry), entry);
    for (const data of waiting) offer(sub, envelopeId(data), data);
  }

  function channelState(channel: string): ChannelState<Owner> {
    let state = channels.get(channel);
    if (!state) {
      const key = channelKeys(channel, prefix).pubsub;
      channelByPubsubKey.set(key, channel);
      const subscribed = subscriber.subscribe(key);
      subscribed.catch(() => {}); // the joins awaiting it see the error
      state = { subscriptions: new Set(), subscribed };
      channels.set(channel, state);
    }
    return state;
  }

  return {
    /**
     * Adds a socket to a channel. `lastId` undefined: live events from now on. Otherwise everything after
     * `lastId` is replayed first; a `lastId` beyond the channel's sequence (Redis lost its data) restarts at 0.
     */
    async join(channel: string, lastId: number | undefined, owner: Owner): Promise<JoinResult<Owner>> {
      const sub: Subscription<Owner> = { channel, owner, lastSent: 0, buffer: [], closed: false };
      const state = channelState(channel);
      state.subscriptions.add(sub);
      try {
        await state.subscribed;
        // Read only after SUBSCRIBE is acknowledged: whatever is published later arrives live into the buffer.
        const { sequence } = await readEventsSince(commands, channel, 0, { prefix, limit: 0 });
        const startId = lastId === undefined ? sequence : lastId > sequence ? 0 : lastId;
        sub.lastSent = startId;
        return { subscription: sub, startId, sequence };
      } catch (error) {
        leave(sub);
        throw error;
      }
    },
    /** Starts delivery after the caller has told the client where its feed starts. */
    start({ subscription: sub, sequence }: JoinResult<Owner>): void {
      if (sub.closed) return;
      // Starting at the sequence read after SUBSCRIBE, every later id is in the buffer: no stream read needed.
      if (sub.lastSent >= sequence) release(sub, []);
      else {
        resumes++;
        replayed += sequence - sub.lastSent;
        void backfill(sub);
      }
    },
    leave,
    /** After a Redis reconnect: subscribe again, then let every socket read what it missed meanwhile. */
    async resync(): Promise<void> {
      const keys = [...channels.keys()].map((channel) => channelKeys(channel, prefix).pubsub);
      if (keys.length === 0) return;
      resyncs++;
      const subscribed = subscriber.subscribe(...keys);
      subscribed.catch(() => {});
      for (const state of channels.values()) state.subscribed = subscribed;
      await subscribed;
      for (const state of channels.values()) {
        for (const sub of state.subscriptions) {
          sub.buffer ??= [];
          void backfill(sub);
        }
      }
    },
    stats() {
      let subscriptions = 0;
      for (const state of channels.values()) subscriptions += state.subscriptions.size;
      return { channels: channels.size, subscriptions, delivered, resyncs, resumes, replayed };
    },
  };

  function leave(sub: Subscription<Owner>): void {
    sub.closed = true;
    const state = channels.get(sub.channel);
    if (!state?.subscriptions.delete(sub) || state.subscriptions.size > 0) return;
    channels.delete(sub.channel);
    const key = channelKeys(sub.channel, prefix).pubsub;
    channelByPubsubKey.delete(key);
    subscriber.unsubscribe(key).catch((error: unknown) => deps.onError(error, "unsubscribe"));
  }
}

export type Fanout<Owner> = ReturnType<typeof createFanout<Owner>>;
