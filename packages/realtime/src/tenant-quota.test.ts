import { closeCodes, conversationChannel } from "@avatar-chat/protocol";
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { createSocketCounts, withinQuota } from "./socket-counts";
import { censusEntry, openElsewhere } from "./tenant-census";
import { openSocket, redisForTests, startNode, subscribed, type TestSocket, visitorToken } from "./testing";

const { prefix } = redisForTests();

it("admits a tenant's socket only below the quota", () => {
  expect(withinQuota(0, 2)).toBe(true);
  expect(withinQuota(1, 2)).toBe(true);
  expect(withinQuota(2, 2)).toBe(false);
  const open = createSocketCounts(1);
  expect(open.tryOpen("t1")).toBe(true);
  expect(open.tryOpen("t1")).toBe(false);
  expect(open.tryOpen("t2")).toBe(true);
  open.close("t1");
  expect([open.count("t1"), open.size]).toEqual([0, 1]);
  expect(open.tryOpen("t2", 0)).toBe(false); // t2 already holds its one place
  expect(createSocketCounts(3).tryOpen("t1", 3)).toBe(false); // all three on other nodes
});

it("counts the other nodes' live census entries only", () => {
  const now = 1_000;
  const fields = {
    self: censusEntry(7, 2_000),
    b: censusEntry(2, 2_000),
    dead: censusEntry(5, 999),
    c: "junk",
  };
  expect(openElsewhere(fields, "self", now)).toBe(2);
});

it("holds a tenant's quota across the nodes that share Redis", async () => {
  const limits = { maxConnectionsPerTenant: 3, censusMs: 50 };
  const [a, b] = await Promise.all([startNode({ prefix, limits }), startNode({ prefix, limits })]);
  const url = (node: typeof a, visitorId: string) =>
    `${node.url}?token=${visitorToken(visitorId, "cluster")}`;
  const onA = [await openSocket(url(a, "v1")), await openSocket(url(a, "v2"))];
  const onB = await openSocket(url(b, "v3"));
  for (const node of [a, b]) await expect.poll(() => node.realtime.clusterConnections("cluster")).toBe(3);
  for (const node of [a, b]) {
    const over = await openSocket(url(node, "v4"));
    await expect.poll(() => over.closeCode()).toBe(closeCodes.tenantQuota);
  }

  await onA[0]!.close(); // a place frees up on A, and B learns of it at its next round
  await expect.poll(() => b.realtime.clusterConnections("cluster")).toBe(2);
  const again = await openSocket(url(b, "v5"));
  await expect.poll(() => b.realtime.tenantConnections("cluster")).toBe(2); // admitted next to onB
  expect(again.closeCode()).toBeNull();

  // A node that shuts down takes its sockets out of the others' counts.
  await a.realtime.close();
  await expect.poll(() => b.realtime.clusterConnections("cluster")).toBe(2);
  await Promise.all([onB.close(), again.close()]);
  await b.realtime.close();
});

it("closes a tenant's socket over its quota with 4003, leaving other tenants alone", async () => {
  const node = await startNode({ prefix, limits: { maxConnectionsPerTenant: 2 } });
  const url = (visitorId: string, tenantId = "t1") =>
    `${node.url}?token=${visitorToken(visitorId, tenantId)}`;
  const first = await openSocket(url("v1"));
  const second = await openSocket(url("v1b"));
  const over = await openSocket(url("v1"));
  const reason = new Promise<string>((resolve) => over.ws.once("close", (_code, text) => resolve(`${text}`)));
  await expect.poll(() => over.closeCode()).toBe(closeCodes.tenantQuota);
  expect(await reason).toBe("tenant connection quota reached");
  const otherTenant = await openSocket(url("v2", "t2"));
  expect(await subscribed(otherTenant, conversationChannel("c2"))).toMatchObject({ type: "subscribed" });
  expect([node.realtime.tenantConnections("t1"), node.realtime.tenantConnections("t2")]).toEqual([2, 1]);

  await first.close(); // frees a place
  await expect.poll(() => node.realtime.tenantConnections("t1")).toBe(1);
  const third = await openSocket(url("v1"));
  expect(await subscribed(third, conversationChannel("c1"))).toMatchObject({ type: "subscribed" });
  expect(third.closeCode()).toBeNull();
  expect(node.realtime.stats()).toMatchObject({ quotaCloses: 1, connections: 3, tenants: 2 });
  await Promise.all([second.close(), third.close(), otherTenant.close()]);
  await node.realtime.close();
});

it("counts exactly under connect/disconnect churn and never admits more than the quota", async () => {
  const quota = 5;
  const node = await startNode({ prefix, limits: { maxConnectionsPerTenant: quota } });
  const url = `${node.url}?token=${visitorToken("v1")}`;
  const kept: TestSocket[] = [];
  const isOpen = (socket: TestSocket) => socket.ws.readyState === WebSocket.OPEN;
  for (let round = 0; round < 4; round++) {
    // 25 sockets at once: some close at once, some drop without a close frame, the rest stay if admitted.
    await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const socket = await openSocket(url);
        if (i % 3 === 0) await socket.close();
        else if (i % 3 === 1) socket.ws.terminate();
        else kept.push(socket);
      }),
    );
    // Some kept sockets leave too, while the server may still be closing the refused ones.
    for (const socket of kept.splice(0, 2)) socket.ws.terminate();
    await expect
      .poll(() => node.realtime.tenantConnections("t1") === kept.filter(isOpen).length, { timeout: 5000 })
      .toBe(true);
    expect(node.realtime.tenantConnections("t1")).toBeLessThanOrEqual(quota);
  }
  expect(kept.filter(isOpen).length).toBeGreaterThan(0);
  expect(node.realtime.stats().quotaCloses).toBeGreaterThan(0);
  await Promise.all(kept.map((socket) => socket.close()));
  await expect.poll(() => node.realtime.stats()).toMatchObject({ connections: 0, tenants: 0 });
  expect(node.realtime.tenantConnections("t1")).toBe(0);
  await node.realtime.close();
});
