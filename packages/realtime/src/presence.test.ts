import { tenantChannel } from "@avatar-chat/protocol";
import { expect, it } from "vitest";
import { readPresence, touchPresence } from "./presence";
import {
  dashboardOrigin,
  deleteKeys,
  newPrefix,
  openSocket,
  redisForTests,
  startNode,
  subscribed,
  visitorToken,
} from "./testing";

const { prefix, redis } = redisForTests();

const chatbot = { kind: "chatbot", tenantId: "t1", chatbotId: "b1" } as const;
const presenceFrames = (frames: Record<string, unknown>[]) =>
  frames
    .map((f) => f.event as { type?: string; visitorIds?: string[]; viewerUserIds?: string[] } | undefined)
    .filter((e) => e?.type === "presence");

it("tracks visitors online per chatbot and agents viewing a conversation, and publishes snapshots", async () => {
  const node = await startNode({ prefix });
  const agent = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
  await subscribed(agent, tenantChannel("t1"));

  const tab1 = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
  const tab2 = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
  await expect.poll(() => readPresence(redis, prefix, chatbot)).toEqual(["v1"]);
  await expect.poll(() => presenceFrames(agent.frames).at(-1)?.visitorIds).toEqual(["v1"]);
  await tab1.close();
  await expect.poll(() => presenceFrames(agent.frames).length).toBe(3);
  expect(await readPresence(redis, prefix, chatbot)).toEqual(["v1"]); // the other tab is still open
  await tab2.close();
  await expect.poll(() => presenceFrames(agent.frames).at(-1)?.visitorIds).toEqual([]);

  const visitor = await openSocket(`${node.url}?token=${visitorToken("v1")}`);
  await subscribed(visitor, "conv:c1");
  await subscribed(agent, "conv:c1");
  const conversation = { kind: "conversation", conversationId: "c1" } as const;
  await expect.poll(() => readPresence(redis, prefix, conversation)).toEqual(["u1"]);
  await expect.poll(() => presenceFrames(visitor.frames).at(-1)?.viewerUserIds).toEqual(["u1"]);
  agent.send({ type: "unsubscribe", channel: "conv:c1" });
  await expect.poll(() => presenceFrames(visitor.frames).at(-1)?.viewerUserIds).toEqual([]);

  await Promise.all([agent.close(), visitor.close()]);
  await node.realtime.close();
});

it("forgets the visitors of a node that died, once their entries expire", async () => {
  const ownPrefix = newPrefix();
  // Heartbeats also ping: an interval far above a loaded machine's pong delay keeps the agent connected.
  const node = await startNode({ prefix: ownPrefix, limits: { heartbeatMs: 1000 } });
  const agent = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
  await subscribed(agent, tenantChannel("t1"));
  // What a node writes for its visitor before it dies: an entry nobody refreshes any more.
  await touchPresence(redis, ownPrefix, [{ scope: chatbot, member: "ghost deadnode" }], Date.now() + 2000);
  expect(await readPresence(redis, ownPrefix, chatbot)).toEqual(["ghost"]);
  await expect.poll(() => readPresence(redis, ownPrefix, chatbot), { timeout: 15_000 }).toEqual([]);
  // A live node's heartbeat sweeps the expired entry and tells the tenant.
  await expect
    .poll(() => presenceFrames(agent.frames).some((e) => e?.visitorIds?.length === 0), { timeout: 15_000 })
    .toBe(true);
  await agent.close();
  await node.realtime.close();
  await deleteKeys(redis, ownPrefix);
});
