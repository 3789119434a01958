import { closeCodes, conversationChannel, publishEvent, tenantChannel } from "@avatar-chat/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  dashboardOrigin,
  deleteKeys,
  newPrefix,
  newRedis,
  openSocket,
  range,
  startNode,
  subscribed,
  visitorToken,
} from "./testing";

const prefix = newPrefix();
const redis = newRedis();
const nodes: Awaited<ReturnType<typeof startNode>>[] = [];
let node: Awaited<ReturnType<typeof startNode>>;

beforeAll(async () => {
  node = await startNode({ prefix });
  nodes.push(node);
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.realtime.close()));
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const c1 = conversationChannel("c1");
const delta = (index: number, conversationId = "c1") =>
  ({ type: "message.delta", conversationId, messageId: "m1", delta: "tok", index }) as const;
const publish = (channel: string, index: number) =>
  publishEvent(redis, channel, delta(index, channel.slice(5)), { prefix });

describe("authentication on upgrade", () => {
  it("refuses a socket without credentials, with a bad or expired token, or on another path", async () => {
    await expect(openSocket(node.url)).rejects.toThrow("HTTP 401");
    await expect(openSocket(`${node.url}?token=vt1.forged.sig`)).rejects.toThrow("HTTP 401");
    await expect(openSocket(`${node.url}?token=${visitorToken("v1", "t1", "b1", -1)}`)).rejects.toThrow(
      "HTTP 401",
    );
    await expect(
      openSocket(`${node.url.replace("/realtime", "/other")}?token=${visitorToken("v1")}`),
    ).rejects.toThrow("HTTP 404");
  });

  it("refuses a session cookie from a foreign or missing Origin, accepts it from the dashboard", async () => {
    await expect(openSocket(node.url, { cookie: "session=s1", origin: "https://evil.test" })).rejects.toThrow(
      "HTTP 403",
    );
    await expect(openSocket(node.url, { cookie: "session=s1" })).rejects.toThrow("HTTP 403");
    const member = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
    await member.close();
  });

  it("accepts an API key in the Authorization header", async () => {
    const integrator = await openSocket(node.url, { authorization: "Bearer ack_t1" });
    expect(await subscribed(integrator, tenantChannel("t1"))).toMatchObject({ type: "subscribed" });
    await integrator.close();
  });
});

describe("authorization on subscribe", () => {
  it("lets a visitor join only its own conversations", async () => {
    const visitor = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    expect(await subscribed(visitor, c1)).toMatchObject({ type: "subscribed" });
    expect(await subscribed(visitor, conversationChannel("c1b"))).toMatchObject({ type: "denied" });
    expect(await subscribed(visitor, conversationChannel("c2"))).toMatchObject({ type: "denied" });
    expect(await subscribed(visitor, tenantChannel("t1"))).toMatchObject({ type: "denied" });
    expect(await subscribed(visitor, "nonsense")).toMatchObject({ type: "denied" });
    await visitor.close();
  });

  it("lets a member join its tenant and its conversations, not another tenant's", async () => {
    const member = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
    expect(await subscribed(member, tenantChannel("t1"))).toMatchObject({ type: "subscribed" });
    expect(await subscribed(member, c1)).toMatchObject({ type: "subscribed" });
    expect(await subscribed(member, tenantChannel("t2"))).toMatchObject({ type: "denied" });
    expect(await subscribed(member, conversationChannel("c2"))).toMatchObject({ type: "denied" });
    await member.close();
  });
});

describe("delivery and resume", () => {
  it("delivers live events in order and resumes after a reconnect without loss or duplicates", async () => {
    const channel = conversationChannel("c1");
    const first = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    const { lastId: start } = (await subscribed(first, channel)) as { lastId: number };
    for (let i = 0; i < 3; i++) await publish(channel, i);
    await expect.poll(() => first.ids(channel)).toEqual(range(start + 1, start + 3));
    await first.close();

    for (let i = 3; i < 6; i++) await publish(channel, i);
    const second = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    expect(await subscribed(second, channel, start + 3)).toMatchObject({ lastId: start + 3 });
    await publish(channel, 6);
    await expect.poll(() => second.ids(channel)).toEqual(range(start + 4, start + 7));
    await second.close();
  });

  it("has no gap or duplicate when resuming while events are being published", async () => {
    const channel = conversationChannel("c1b");
    const token = visitorToken("v1b");
    // Publishing goes on while each socket resumes, counted in events rather than timed: a loaded machine
    // only makes the test slower. Fewer events than the stream keeps (defaultStreamMaxLen), so no resume
    // can meet a trimmed stream however slowly the sockets subscribe.
    let published = 0;
    const publishUpTo = async (count: number) => {
      while (published < count) await publish(channel, published++);
    };
    await publishUpTo(20);
    const lastIds: number[] = [];
    const sockets = [];
    for (let round = 0; round < 5; round++) {
      const socket = await openSocket(`${node.url}?token=${token}`);
      sockets.push(socket);
      lastIds.push(5 + round * 3);
      await Promise.all([subscribed(socket, channel, lastIds[round]), publishUpTo(published + 30)]);
    }
    await publishUpTo(published + 50);
    for (const [i, socket] of sockets.entries()) {
      await expect.poll(() => socket.ids(channel).at(-1), { timeout: 10_000 }).toBe(published);
      expect(socket.ids(channel)).toEqual(range(lastIds[i]! + 1, published));
      await socket.close();
    }
  });

  it("reaches clients on two nodes with one publish", async () => {
    const other = await startNode({ prefix });
    nodes.push(other);
    const channel = tenantChannel("t1");
    const onFirst = await openSocket(node.url, { authorization: "Bearer ack_t1" });
    const onSecond = await openSocket(other.url, { cookie: "session=s1", origin: dashboardOrigin });
    const { lastId } = (await subscribed(onFirst, channel)) as { lastId: number };
    await subscribed(onSecond, channel);
    const envelope = await publishEvent(
      redis,
      channel,
      { type: "knowledge.status", sourceId: "s", chatbotId: "b1", status: "ready", chunkCount: 3 },
      { prefix },
    );
    for (const socket of [onFirst, onSecond]) {
      await expect.poll(() => socket.frames.find((f) => f.id === envelope.id)).toEqual(envelope);
    }
    expect(envelope.id).toBeGreaterThan(lastId);
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("shares one Redis subscription per channel and drops it with the last socket", async () => {
    const channel = conversationChannel("c2");
    const before = node.realtime.stats().channels;
    const a = await openSocket(`${node.url}?token=${visitorToken("v2", "t2")}`);
    const b = await openSocket(`${node.url}?token=${visitorToken("v2", "t2")}`);
    await subscribed(a, channel);
    await subscribed(b, channel);
    expect(node.realtime.stats().channels).toBe(before + 1);
    a.send({ type: "unsubscribe", channel });
    await expect.poll(() => a.control("unsubscribed").length).toBe(1);
    expect(node.realtime.stats().channels).toBe(before + 1);
    await b.close();
    await expect.poll(() => node.realtime.stats().channels).toBe(before);
    await a.close();
  });
});

describe("limits", () => {
  it("closes a socket that sends an oversized frame with 1009", async () => {
    const socket = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    socket.send({ type: "ping", padding: "x".repeat(10_000) });
    await expect.poll(() => socket.closeCode()).toBe(closeCodes.messageTooBig);
  });

  it("closes a socket that sends too many frames per second with 4029", async () => {
    const socket = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    for (let i = 0; i < 100; i++) socket.send({ type: "ping" });
    await expect.poll(() => socket.closeCode()).toBe(closeCodes.rateLimited);
  });

  it("answers a malformed frame with an error and keeps the socket", async () => {
    const socket = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
    socket.ws.send("not json");
    socket.send({ type: "subscribe" });
    await expect.poll(() => socket.control("error").length).toBe(2);
    socket.send({ type: "ping" });
    await expect.poll(() => socket.control("pong").length).toBe(1);
    await socket.close();
  });

  it("closes a slow consumer with 4008 and lets it resume where it stopped", async () => {
    const slowNode = await startNode({ prefix, limits: { maxBufferedBytes: 64 * 1024 } });
    nodes.push(slowNode);
    const channel = conversationChannel("c1");
    const slow = await openSocket(`${slowNode.url}?token=${visitorToken("v1")}`);
    await subscribed(slow, channel);
    const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const big = "y".repeat(16 * 1024);
    for (let i = 0; i < 2000 && slowNode.realtime.stats().slowConsumerCloses === 0; i++) {
      await publishEvent(redis, channel, { ...delta(i), delta: big }, { prefix });
    }
    expect(slowNode.realtime.stats().slowConsumerCloses).toBe(1);
    raw.resume();
    await expect.poll(() => slow.closeCode(), { timeout: 10_000 }).toBe(closeCodes.slowConsumer);

    const lastSeen = slow.ids(channel).at(-1)!;
    const resumed = await openSocket(`${slowNode.url}?token=${visitorToken("v1")}`);
    await subscribed(resumed, channel, lastSeen);
    const { id: newest } = await publish(channel, 0);
    await expect.poll(() => resumed.ids(channel).at(-1), { timeout: 10_000 }).toBe(newest);
    expect(resumed.ids(channel)).toEqual(range(lastSeen + 1, newest));
    await resumed.close();
  });

  it("terminates a socket that stops answering pings", async () => {
    const fastNode = await startNode({ prefix, limits: { heartbeatMs: 100 } });
    nodes.push(fastNode);
    const silent = new WebSocket(`${fastNode.url}?token=${visitorToken("v1")}`, { autoPong: false });
    const code = await new Promise<number>((resolve) => silent.on("close", resolve));
    expect(code).toBe(1006);
    expect(fastNode.realtime.stats().heartbeatTimeouts).toBe(1);
  });

  it("closes every socket with 1001 on shutdown", async () => {
    const closingNode = await startNode({ prefix });
    const socket = await openSocket(`${closingNode.url}?token=${visitorToken("v1")}`);
    await subscribed(socket, c1);
    await closingNode.realtime.close();
    await expect.poll(() => socket.closeCode()).toBe(closeCodes.goingAway);
  });
});
