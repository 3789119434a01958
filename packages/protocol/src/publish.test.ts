import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { channelKeys, conversationChannel } from "./channels";
import { envelopeSchema } from "./events";
import { envelopeId, publishEvent, readEventsSince } from "./publish";
import { deleteKeys } from "./testing";

const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = `test:${randomUUID()}:`;
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const delta = (index: number) =>
  ({ type: "message.delta", conversationId: "c1", messageId: "m1", delta: `t${index}`, index }) as const;

describe("publishEvent / readEventsSince", () => {
  it("numbers events per channel, stores them in the stream and publishes them live", async () => {
    const channel = conversationChannel("c1");
    const sub = redis.duplicate();
    const live: string[] = [];
    await sub.subscribe(channelKeys(channel, prefix).pubsub);
    sub.on("message", (_c, message) => live.push(message));

    const first = await publishEvent(redis, channel, delta(0), { prefix });
    const second = await publishEvent(redis, channel, delta(1), { prefix });
    const other = await publishEvent(redis, conversationChannel("c2"), delta(0), { prefix });
    expect([first.id, second.id, other.id]).toEqual([1, 2, 1]);

    await expect.poll(() => live.length).toBe(2);
    expect(live.map((m) => envelopeSchema.parse(JSON.parse(m)))).toEqual([first, second]);
    expect(live.map((m) => envelopeId(m))).toEqual([1, 2]);
    expect(envelopeId(Buffer.from(live[1]!))).toBe(2);
    sub.disconnect();

    const all = await readEventsSince(redis, channel, 0, { prefix });
    expect(all).toEqual({ entries: live, sequence: 2, missingUpTo: 0 });
    const after1 = await readEventsSince(redis, channel, 1, { prefix });
    expect(after1.entries).toEqual([live[1]]);
    expect((await readEventsSince(redis, channel, 2, { prefix })).entries).toEqual([]);
    expect(await readEventsSince(redis, channel, 0, { prefix, limit: 0 })).toMatchObject({
      entries: [],
      sequence: 2,
    });
  });

  it("reports the ids a capped stream has trimmed away", async () => {
    const channel = conversationChannel("capped");
    for (let i = 0; i < 300; i++) await publishEvent(redis, channel, delta(i), { prefix, maxLen: 10 });
    const backfill = await readEventsSince(redis, channel, 5, { prefix });
    expect(backfill.sequence).toBe(300);
    expect(backfill.missingUpTo).toBeGreaterThan(5);
    expect(envelopeId(backfill.entries[0]!)).toBe(backfill.missingUpTo + 1);
    expect(envelopeId(backfill.entries.at(-1)!)).toBe(300);
  });

  it("rejects events that do not match the protocol", () => {
    expect(
      envelopeSchema.safeParse({ id: 1, channel: "conv:1", at: "", event: { type: "nope" } }).success,
    ).toBe(false);
  });
});
