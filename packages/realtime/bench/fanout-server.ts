// One server under test, in its own process (`fork(this file, [kind])`): ours, a minimal raw-ws fan-out,
// or Socket.io with its Redis adapter. Reports its port, then answers "usage" with CPU and memory.
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server as SocketIoServer } from "socket.io";
import { WebSocketServer } from "ws";
import { canJoin } from "../src/access";
import { createRealtime } from "../src/server";

const [kind, redisUrl = "redis://127.0.0.1:6379", prefix = "bench:"] = process.argv.slice(2);

async function startOurs(): Promise<number> {
  const realtime = createRealtime({
    redis: redisUrl,
    keyPrefix: prefix,
    authenticate: async (req) =>
      req.headers.authorization === "Bearer bench" ? { kind: "apiKey", tenantId: "bench", keyId: "k" } : null,
    authorize: (principal, channel) =>
      canJoin(principal, channel, async () => ({ tenantId: "bench", visitorId: "v" })),
    // Every bench client belongs to one tenant; the quota is still counted, just above the 10k clients.
    // The load comes from one address (and may reuse visitors): only the tenant quota is in play.
    limits: {
      maxConnectionsPerTenant: 20_000,
      maxConnectionsPerVisitor: 20_000,
      maxConnectionsPerAddress: 20_000,
    },
  });
  return (await realtime.listen(0, "127.0.0.1")).port;
}

/** The ~20-line fan-out everyone writes first: no auth, no resume, no backpressure. */
async function startMinimal(): Promise<number> {
  const sub = new Redis(redisUrl, { enableReadyCheck: false }); // its INFO would collide with the first SUBSCRIBE
  const rooms = new Map<string, { sockets: Set<import("ws").WebSocket>; ready: Promise<unknown> }>();
  sub.on("message", (channel: string, message: string) => {
    for (const ws of rooms.get(channel)?.sockets ?? []) ws.send(message);
  });
  const server = createServer();
  new WebSocketServer({ server }).on("connection", async (ws, req) => {
    const channel = `${prefix}min:${new URL(req.url ?? "", "http://x").searchParams.get("channel")}`;
    const room = rooms.get(channel) ?? { sockets: new Set(), ready: sub.subscribe(channel) };
    rooms.set(channel, room);
    room.sockets.add(ws);
    ws.on("close", () => {
      if (!room.sockets.delete(ws) || room.sockets.size > 0) return;
      rooms.delete(channel);
      void sub.unsubscribe(channel);
    });
    await room.ready;
    ws.send("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function startSocketIo(): Promise<number> {
  const pub = new Redis(redisUrl);
  const server = createServer();
  const io = new SocketIoServer(server, {
    transports: ["websocket"],
    serveClient: false,
    perMessageDeflate: false,
    adapter: createAdapter(pub, pub.duplicate({ enableReadyCheck: false }), { key: `${prefix}sio` }),
  });
  io.on("connection", (socket) => {
    socket.on("join", (room: string) => {
      void socket.join(room);
      socket.emit("joined");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

const port = await (kind === "ours" ? startOurs() : kind === "minimal" ? startMinimal() : startSocketIo());
process.on("message", (message: { cmd: string }) => {
  if (message.cmd !== "usage") return;
  (globalThis as { gc?: () => void }).gc?.();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  process.send?.({
    type: "usage",
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rss: memory.rss,
    heap: memory.heapUsed + memory.external,
  });
});
process.send?.({ type: "ready", port });
