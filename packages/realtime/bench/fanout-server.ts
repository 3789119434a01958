// One server under test, in its own process (`fork(this file, [kind])`): ours, a minimal raw-ws fan-out,
// the same fan-out tuned (the floor of this design), or Socket.io with its Redis adapter. Reports its port, then answers "usage" with CPU and memory.
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server as SocketIoServer } from "socket.io";
import { type WebSocket, WebSocketServer } from "ws";
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

interface Room {
  sockets: Set<WebSocket>;
  ready: Promise<unknown>;
}

/** A socket joins the room named by its `?channel=`; the first one subscribes, the last one leaving unsubscribes. */
async function listenForRooms(sub: Redis, rooms: Map<string, Room>): Promise<number> {
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

/** The ~20-line fan-out everyone writes first: no auth, no resume, no backpressure. */
async function startMinimal(): Promise<number> {
  const sub = new Redis(redisUrl, { enableReadyCheck: false }); // its INFO would collide with the first SUBSCRIBE
  const rooms = new Map<string, Room>();
  sub.on("message", (channel: string, message: string) => {
    for (const ws of rooms.get(channel)?.sockets ?? []) ws.send(message);
  });
  return listenForRooms(sub, rooms);
}

/** One WebSocket text frame (RFC 6455, unmasked as a server sends it) holding `payload`. */
function textFrame(payload: Buffer): Buffer {
  // Bench payloads are a few hundred bytes: the 7- and 16-bit length forms are all this needs.
  const length = payload.length;
  if (length >= 65_536) throw new Error("the tuned fan-out frames payloads under 64 KiB only");
  const header = length < 126 ? [0x81, length] : [0x81, 126, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(header), payload]);
}

/**
 * The minimal fan-out at its best, the floor "ours" is compared with: each message is framed once (Redis'
 * bytes, never re-encoded per socket) and the same frame is written to every socket of the room, each socket
 * corked until the next tick so a burst leaves in one write. No auth, resume or backpressure, like minimal.
 */
async function startTuned(): Promise<number> {
  const sub = new Redis(redisUrl, { enableReadyCheck: false });
  const rooms = new Map<string, Room>();
  const corked = new Set<Socket>();
  const uncorkAll = () => {
    for (const raw of corked) raw.uncork();
    corked.clear();
  };
  sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
    const room = rooms.get(channel.toString());
    if (!room) return;
    const frame = textFrame(message);
    for (const ws of room.sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      // ws keeps its net.Socket private; writing the frame there skips ws's per-send framing.
      const raw = (ws as unknown as { _socket: Socket })._socket;
      if (!corked.has(raw)) {
        raw.cork();
        if (corked.add(raw).size === 1) process.nextTick(uncorkAll);
      }
      raw.write(frame);
    }
  });
  return listenForRooms(sub, rooms);
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

const start = { ours: startOurs, minimal: startMinimal, tuned: startTuned, socketio: startSocketIo };
const port = await start[kind as keyof typeof start]();
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
