import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { conversationChannel, publishEvent } from "@avatar-chat/protocol";
import type { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { newPrefix, newRedis, openSocket, range, startNode, subscribed, visitorToken } from "./testing";

// Private redis-server processes (never the shared one), killed with SIGKILL and restarted on the same port.
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** `persistent`: fsync'd append-only file, so a crash keeps sequences and streams (a production Redis with AOF). */
async function privateRedis(persistent: boolean) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "rt-redis-"));
  const persistence = persistent
    ? ["--appendonly", "yes", "--appendfsync", "always"]
    : ["--appendonly", "no"];
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir],
      {
        stdio: "ignore",
      },
    );
    const probe = newRedis(`redis://127.0.0.1:${port}`);
    await probe.ping();
    probe.disconnect();
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once("exit", resolve);
      running.kill("SIGKILL");
    });
  };
  await start();
  stops.push(async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const crashAndRestart = async () => {
    await kill();
    await start();
  };
  return { url: `redis://127.0.0.1:${port}`, crashAndRestart };
}

const channel = conversationChannel("c1");
const publish = (redis: Redis, prefix: string, index: number) =>
  publishEvent(
    redis,
    channel,
    { type: "message.delta", conversationId: "c1", messageId: "m", delta: "t", index },
    { prefix },
  );

/** A node on a private Redis (persisting or not) and a visitor socket that has received three events. */
async function subscriberOfThreeEvents(persist: boolean) {
  const redis = await privateRedis(persist);
  const prefix = newPrefix();
  const node = await startNode({ prefix, url: redis.url });
  const publisher = newRedis(redis.url);

  const socket = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
  await subscribed(socket, channel);
  for (let i = 0; i < 3; i++) await publish(publisher, prefix, i);
  await expect.poll(() => socket.ids(channel)).toEqual([1, 2, 3]);
  return { redis, prefix, node, publisher, socket };
}

it("survives a Redis crash and restart: resubscribes and the client misses nothing", async () => {
  const { redis, prefix, node, publisher, socket } = await subscriberOfThreeEvents(true);

  await redis.crashAndRestart();
  // Published as soon as Redis is back, very likely before the node has resubscribed: only the stream has them.
  for (let i = 3; i < 6; i++) await publish(publisher, prefix, i);
  await expect.poll(() => socket.ids(channel), { timeout: 15_000 }).toEqual(range(1, 6));
  expect(node.realtime.stats()).toMatchObject({ channels: 1, resyncs: 1 });
  await publish(publisher, prefix, 6);
  await expect.poll(() => socket.ids(channel)).toEqual(range(1, 7));
  expect(socket.closeCode()).toBeNull();

  await socket.close();
  await node.realtime.close();
  publisher.disconnect();
});

it("restarts the feed at 0 when Redis comes back without the channel's data", async () => {
  const { redis, prefix, node, publisher, socket } = await subscriberOfThreeEvents(false);

  await redis.crashAndRestart(); // no persistence: sequences and streams are gone, ids start again at 1
  await publish(publisher, prefix, 3);
  await expect
    .poll(() => socket.control("subscribed").at(-1), { timeout: 15_000 })
    .toEqual({
      type: "subscribed",
      channel,
      lastId: 0,
    });
  await publish(publisher, prefix, 4);
  await expect.poll(() => socket.ids(channel)).toEqual([1, 2, 3, 1, 2]);

  await socket.close();
  await node.realtime.close();
  publisher.disconnect();
});
