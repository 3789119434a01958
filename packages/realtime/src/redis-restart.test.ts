import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { conversationChannel, publishEvent } from "@avatar-chat/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newPrefix, newRedis, openSocket, range, startNode, subscribed, visitorToken } from "./testing";

// A private redis-server (never the shared one) with an fsync'd append-only file, so a SIGKILL and restart
// on the same port keeps the sequences and streams, like a production Redis with persistence.
const dir = mkdtempSync(path.join(tmpdir(), "rt-redis-"));
let port = 0;
let redisProcess: ChildProcess | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function startRedis(): Promise<void> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--dir",
      dir,
    ],
    { stdio: "ignore" },
  );
  redisProcess = child;
  const probe = newRedis(`redis://127.0.0.1:${port}`);
  await probe.ping();
  probe.disconnect();
}

async function killRedis(): Promise<void> {
  const child = redisProcess;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGKILL");
  });
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
});
afterAll(async () => {
  await killRedis();
  rmSync(dir, { recursive: true, force: true });
});

it("survives a Redis crash and restart: resubscribes and the client misses nothing", async () => {
  const url = `redis://127.0.0.1:${port}`;
  const prefix = newPrefix();
  const node = await startNode({ prefix, url });
  const publisher = newRedis(url);
  const channel = conversationChannel("c1");
  const publish = (index: number) =>
    publishEvent(
      publisher,
      channel,
      { type: "message.delta", conversationId: "c1", messageId: "m", delta: "t", index },
      { prefix },
    );

  const socket = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
  await subscribed(socket, channel);
  for (let i = 0; i < 3; i++) await publish(i);
  await expect.poll(() => socket.ids(channel)).toEqual([1, 2, 3]);

  await killRedis();
  await startRedis();
  // Published as soon as Redis is back, very likely before the node has resubscribed: only the stream has them.
  for (let i = 3; i < 6; i++) await publish(i);
  await expect.poll(() => socket.ids(channel), { timeout: 15_000 }).toEqual(range(1, 6));
  expect(node.realtime.stats()).toMatchObject({ channels: 1, resyncs: 1 });
  await publish(6);
  await expect.poll(() => socket.ids(channel)).toEqual(range(1, 7));
  expect(socket.closeCode()).toBeNull();

  await socket.close();
  await node.realtime.close();
  publisher.disconnect();
});
