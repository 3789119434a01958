import { type ChannelKeys, channelKeys } from "./channels";
import type { Envelope, RealtimeEvent } from "./events";
import { type RedisEval, redisScript, runScript } from "./redis-script";

// INCR, XADD and PUBLISH in one script: the id order, the stream order and the pub/sub order are the same,
// and a consumer that reads the stream after subscribing can never miss an id. The envelope JSON is built
// around the id here so the id is the first field (consumers read it without parsing the rest).
// The request id that caused the event, if any, is stored beside it (field `r`) but not sent to sockets.
const publishScript = redisScript(`
local id = redis.call('INCR', KEYS[1])
local envelope = '{"id":' .. id .. ',' .. ARGV[1]
if ARGV[3] then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'e', envelope, 'r', ARGV[3])
else
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'e', envelope)
end
redis.call('PUBLISH', KEYS[3], envelope)
return id
`);

// Returns { first stream id, sequence, entries after lastId } so a reader can tell "trimmed" from "nothing new".
const readScript = redisScript(`
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local firstId = 0
if first[1] then firstId = tonumber(string.match(first[1][1], '^(%d+)')) end
local out = { seq, firstId }
if ARGV[2] == '0' then return out end
local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
for i, entry in ipairs(entries) do out[i + 2] = entry[2][2] end
return out
`);

export interface PublishOptions {
  /** Approximate cap of the channel's stream (how far back a reconnecting client can resume). */
  maxLen?: number;
  prefix?: string;
  now?: Date;
  /**
   * The request the event comes from (an api request, or the one that enqueued the job publishing it):
   * kept with the event in the stream (field `r`) for operators, not sent to sockets, where it would add
   * its length to every frame of a streamed reply.
   */
  requestId?: string | undefined;
}

export const defaultStreamMaxLen = 1000;

export async function publishEvent<E extends RealtimeEvent>(
  redis: RedisEval,
  channel: string,
  event: E,
  options: PublishOptions = {},
): Promise<Envelope<E>> {
  const keys = channelKeys(channel, options.prefix);
  const at = (options.now ?? new Date()).toISOString();
  const rest = `${JSON.stringify({ channel, at, event }).slice(1)}`;
  const id = Number(
    await runScript(redis, publishScript, 3, [
      keys.sequence,
      keys.stream,
      keys.pubsub,
      rest,
      options.maxLen ?? defaultStreamMaxLen,
      ...(options.requestId ? [options.requestId] : []),
    ]),
  );
  return { id, channel, at, event };
}

export interface Backfill {
  /** Serialized envelopes with id > lastId, oldest first. */
  entries: string[];
  /** The channel's last published id when read. */
  sequence: number;
  /** Ids in (lastId, firstAvailable) were trimmed away and are lost to this reader (0 when none). */
  missingUpTo: number;
}

/** Envelopes after `lastId`, still serialized (a server forwards them as they are). */
export async function readEventsSince(
  redis: RedisEval,
  channel: string,
  lastId: number,
  options: { prefix?: string; limit?: number } = {},
): Promise<Backfill> {
  const keys: ChannelKeys = channelKeys(channel, options.prefix);
  const reply = (await runScript(redis, readScript, 2, [
    keys.sequence,
    keys.stream,
    lastId,
    options.limit ?? 10_000,
  ])) as [number, number, ...string[]];
  const [sequence, firstId, ...entries] = reply;
  let missingUpTo = 0;
  if (sequence > lastId && firstId === 0) missingUpTo = sequence;
  else if (sequence > lastId && firstId > lastId + 1) missingUpTo = firstId - 1;
  return { entries, sequence, missingUpTo };
}

/** Id of a serialized envelope without parsing it: the publish script always writes `{"id":<n>,` first. */
export function envelopeId(serialized: string | Uint8Array): number {
  let id = 0;
  for (let i = 6; i < serialized.length; i++) {
    const c = typeof serialized === "string" ? serialized.charCodeAt(i) : serialized[i]!;
    if (c < 48 || c > 57) break;
    id = id * 10 + (c - 48);
  }
  return id;
}
