import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";

// Canary for the ws internal delivery.ts relies on (ws is pinned exactly in pnpm-workspace.yaml's
// catalog): a failure names the internal an upgrade changed.
describe("ws internals delivery.ts relies on", () => {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  const listening = once(server, "listening");
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("a server-side WebSocket keeps its net.Socket as _socket (corked around a batch of frames)", async () => {
    await listening;
    const accepted = once(server, "connection");
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const [[socket]] = (await Promise.all([accepted, once(client, "open")])) as [[WebSocket], unknown];
    const raw = (socket as unknown as { _socket?: unknown })._socket;
    expect(raw instanceof Socket, "ws internal changed: WebSocket._socket is no longer the net.Socket").toBe(
      true,
    );
    client.close();
  });
});
