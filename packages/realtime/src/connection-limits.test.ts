import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { closeCodes, conversationChannel, tenantChannel } from "@avatar-chat/protocol";
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { createRealtime } from "./server";
import {
  authenticate,
  authorize,
  dashboardOrigin,
  openSocket,
  redisForTests,
  redisUrl,
  startNode,
  subscribed,
  type TestSocket,
  visitorToken,
} from "./testing";

const { prefix } = redisForTests();
const isOpen = (socket: TestSocket) => socket.ws.readyState === WebSocket.OPEN;

it("one visitor token cannot fill its tenant's quota: the dashboard and new visitors still connect", async () => {
  const limits = { maxConnectionsPerTenant: 10, maxConnectionsPerVisitor: 3 };
  const node = await startNode({ prefix, limits });
  const url = `${node.url}?token=${visitorToken("v1")}`;
  // More sockets than the tenant's whole quota, all with one visitor's token.
  const flood = await Promise.all(Array.from({ length: 12 }, () => openSocket(url)));
  await expect.poll(() => flood.filter((s) => s.closeCode() === closeCodes.connectionLimit).length).toBe(9);
  expect(flood.filter(isOpen)).toHaveLength(3);
  expect(node.realtime.tenantConnections("t1")).toBe(3);

  const dashboard = await openSocket(node.url, { cookie: "session=s1", origin: dashboardOrigin });
  expect(await subscribed(dashboard, tenantChannel("t1"))).toMatchObject({ type: "subscribed" });
  const newVisitor = await openSocket(`${node.url}?token=${visitorToken("v1b")}`);
  expect(await subscribed(newVisitor, conversationChannel("c1b"))).toMatchObject({ type: "subscribed" });
  expect([dashboard.closeCode(), newVisitor.closeCode()]).toEqual([null, null]);

  // A place frees up when one of the visitor's sockets closes.
  await flood.find(isOpen)!.close();
  await expect.poll(() => node.realtime.tenantConnections("t1")).toBe(4);
  const again = await openSocket(url);
  expect(await subscribed(again, conversationChannel("c1"))).toMatchObject({ type: "subscribed" });
  expect(node.realtime.stats()).toMatchObject({ connectionLimitCloses: 9, quotaCloses: 0 });
  await Promise.all([...flood, dashboard, newVisitor, again].map((s) => s.close()));
  await node.realtime.close();
});

it("holds the visitor limit across the nodes sharing Redis; a dead node's sockets stop counting", async () => {
  const limits = { maxConnectionsPerVisitor: 10, heartbeatMs: 200, presenceTtlMs: 1_000 };
  // Node A reaches Redis through a relay, so the test can cut it off as a crash would.
  const relay = redisRelay();
  await new Promise<void>((resolve) => relay.server.listen(0, "127.0.0.1", resolve));
  const relayPort = (relay.server.address() as AddressInfo).port;
  const a = await startNode({ prefix, limits, url: `redis://127.0.0.1:${relayPort}` });
  const b = await startNode({ prefix, limits });
  const url = (node: typeof a) => `${node.url}?token=${visitorToken("v-cluster")}`;
  /** A socket once the node has admitted it (answers a subscribe) or closed it. */
  const settle = async (node: typeof a) => {
    const socket = await openSocket(url(node));
    socket.send({ type: "subscribe", channel: tenantChannel("t1") });
    await expect.poll(() => socket.closeCode() !== null || socket.control("denied").length > 0).toBe(true);
    return socket;
  };
  const onA = [];
  for (let i = 0; i < 5; i++) onA.push(await settle(a));
  const onB = [];
  for (let i = 0; i < 5; i++) onB.push(await settle(b));
  expect([...onA, ...onB].filter(isOpen)).toHaveLength(10);
  for (const node of [a, b]) {
    const eleventh = await settle(node);
    expect(eleventh.closeCode()).toBe(closeCodes.connectionLimit);
  }

  // A dies: its Redis connections go, its sockets drop, and nothing removes its leases.
  relay.cut();
  for (const socket of onA) socket.ws.terminate();
  // B still counts them until they lapse (no refresh), then admits the visitor's sockets again.
  const refused = await settle(b);
  expect(refused.closeCode()).toBe(closeCodes.connectionLimit);
  await expect.poll(async () => isOpen(await settle(b)), { timeout: 10_000, interval: 200 }).toBe(true);
  await Promise.all(onB.map((s) => s.close()));
  await b.realtime.close();
  void a.realtime.close(); // its Redis is gone for good: nothing to wait for
});

/** A TCP relay to the test Redis; `cut` drops every connection and refuses new ones. */
function redisRelay() {
  const target = new URL(redisUrl);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    server,
    cut() {
      server.close();
      for (const socket of open) socket.destroy();
    },
  };
}

it("one address cannot hold more than its share of visitor and dashboard sockets; API keys are not counted", async () => {
  const node = await startNode({ prefix, limits: { maxConnectionsPerAddress: 4 } });
  // Every test socket comes from 127.0.0.1: four visitors minted in bulk fill the address.
  const visitors = await Promise.all(
    ["a", "b", "c", "d", "e"].map((v) => openSocket(`${node.url}?token=${visitorToken(`bulk-${v}`)}`)),
  );
  await expect
    .poll(() => visitors.filter((s) => s.closeCode() === closeCodes.connectionLimit).length)
    .toBe(1);
  const reason = await new Promise<string>((resolve) => {
    const member = new WebSocket(node.url, { headers: { cookie: "session=s1", origin: dashboardOrigin } });
    member.on("error", () => {});
    member.once("close", (_code, text) => resolve(`${text}`));
  });
  expect(reason).toBe("address connection limit reached");
  const integrator = await openSocket(node.url, { authorization: "Bearer ack_t1" });
  expect(await subscribed(integrator, tenantChannel("t1"))).toMatchObject({ type: "subscribed" });
  await Promise.all([...visitors, integrator].map((s) => s.close()));
  await expect.poll(() => node.realtime.stats().connections).toBe(0);
  await node.realtime.close();
});

/** Sends a raw upgrade request; resolves with what the server answered once it closed the connection. */
function rawUpgrade(port: number, path: string, upgrade: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      socket.destroy();
      resolve(answer);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: ${upgrade}\r\n` +
        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    );
  });
}

it("answers and closes upgrade requests to every other path of a server it is attached to", async () => {
  const server = createServer((_req, res) => res.end("api"));
  const realtime = createRealtime({ redis: redisUrl, keyPrefix: prefix, authenticate, authorize });
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  for (const [path, upgrade] of [
    ["/trpc/chatbot.list", "websocket"],
    ["/trpc/chatbot.list", "h2c"],
    ["/", "h2c"],
    ["/realtimeX", "websocket"],
  ] as const) {
    expect(await rawUpgrade(port, path, upgrade), `${upgrade} ${path}`).toMatch(/^HTTP\/1\.1 404 /);
  }
  // h2c on the realtime path itself, with a valid credential: refused by the WebSocket handshake.
  expect(await rawUpgrade(port, `/realtime?token=${visitorToken("v1")}`, "h2c")).toMatch(/^HTTP\/1\.1 400 /);
  await realtime.close();
  await new Promise((resolve) => server.close(resolve));
});
