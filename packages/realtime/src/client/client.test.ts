import { readFileSync } from "node:fs";
import { conversationChannel, type Envelope, publishEvent } from "@avatar-chat/protocol";
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { range, redisForTests, startNode, visitorToken } from "../testing";
import { createRealtimeClient, type WebSocketConstructor } from "./index";

const { prefix, redis } = redisForTests();

const channel = conversationChannel("c1");
const publish = (index: number) =>
  publishEvent(
    redis,
    channel,
    { type: "message.delta", conversationId: "c1", messageId: "m", delta: "t", index },
    { prefix },
  );

/** A client on `ws` with quick reconnects that records its statuses as `status` or `status:code`. */
function recordingClient(url: string | (() => string)) {
  const statuses: string[] = [];
  const client = createRealtimeClient({
    url,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: { initialMs: 50, maxMs: 200 },
    onStatus: (status, code) => statuses.push(code === undefined ? status : `${status}:${code}`),
  });
  return { client, statuses };
}

it("resumes on another node after its node shuts down, without loss or duplicates", async () => {
  let node = await startNode({ prefix });
  const { client, statuses } = recordingClient(() => `${node.url}?token=${visitorToken("v1")}`);
  const received: Envelope[] = [];
  client.subscribe(channel, (envelope) => received.push(envelope));
  await expect.poll(() => client.lastId(channel)).toBeTypeOf("number");
  const start = client.lastId(channel)!;

  for (let i = 0; i < 3; i++) await publish(i);
  await expect.poll(() => received.length).toBe(3);

  const old = node;
  node = await startNode({ prefix }); // the load balancer's other node
  await old.realtime.close();
  for (let i = 3; i < 6; i++) await publish(i); // while the client is reconnecting
  await expect.poll(() => statuses.filter((s) => s === "open").length).toBe(2);
  await publish(6);
  await expect.poll(() => received.length).toBe(7);
  expect(received.map((e) => e.id)).toEqual(range(start + 1, start + 7));
  expect(statuses).toContain("closed:1001");

  client.close();
  await node.realtime.close();
});

it("reconnects with a fresh token when its token expires (4001) and resumes without loss or duplicates", async () => {
  const node = await startNode({ prefix });
  const tokens: number[] = [];
  // The first token lasts 2 s; the app hands out long-lived ones afterwards.
  const { client, statuses } = recordingClient(
    () => `${node.url}?token=${visitorToken("v1", "t1", "b1", tokens.push(0) === 1 ? 2 : 600)}`,
  );
  const received: Envelope[] = [];
  client.subscribe(channel, (envelope) => received.push(envelope));
  await expect.poll(() => client.lastId(channel)).toBeTypeOf("number");
  const start = client.lastId(channel)!;
  await publish(0);
  await expect.poll(() => statuses, { timeout: 5000 }).toContain("closed:4001");
  await publish(1); // around the reconnect
  await expect.poll(() => statuses.filter((s) => s === "open").length).toBe(2);
  await publish(2);
  await expect.poll(() => received.length).toBe(3);
  expect(received.map((e) => e.id)).toEqual(range(start + 1, start + 3));
  expect(tokens).toHaveLength(2);
  client.close();
  await node.realtime.close();
});

it("reports `expired` and stops when a fixed URL's token expires", async () => {
  const node = await startNode({ prefix });
  const { client, statuses } = recordingClient(`${node.url}?token=${visitorToken("v1", "t1", "b1", 2)}`);
  await expect.poll(() => statuses, { timeout: 5000 }).toContain("expired:4001");
  await new Promise((resolve) => setTimeout(resolve, 300)); // longer than any backoff
  expect(statuses).toEqual(["connecting", "open", "expired:4001"]);
  client.close();
  await node.realtime.close();
});

it("works with the platform's global WebSocket (browser API)", async () => {
  const node = await startNode({ prefix });
  const client = createRealtimeClient({ url: `${node.url}?token=${visitorToken("v1")}` });
  const received: Envelope[] = [];
  const unsubscribe = client.subscribe(channel, (envelope) => received.push(envelope));
  await expect.poll(() => client.lastId(channel)).toBeTypeOf("number");
  const { id } = await publish(0);
  await expect.poll(() => received.map((e) => e.id)).toEqual([id]);
  unsubscribe();
  client.close();
  await node.realtime.close();
});

it("has no runtime imports, so a browser bundle pulls in nothing else", () => {
  const source = readFileSync(new URL("./index.ts", import.meta.url), "utf8");
  const imports = source.split("\n").filter((line) => /^import\s/.test(line));
  expect(imports.every((line) => line.startsWith("import type "))).toBe(true);
});
