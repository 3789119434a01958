// The load process: holds every client socket, counts deliveries and measures publish-to-receive latency.
// Socket.io clients speak the engine.io v4 wire protocol over plain `ws` (no socket.io-client decoding),
// so all three servers face exactly the same client cost.
import { WebSocket } from "ws";

export type ServerKind = "ours" | "minimal" | "tuned" | "socketio";

export type LoadCommand =
  | { cmd: "connect"; kind: ServerKind; port: number; clients: number; channels: string[] }
  | { cmd: "count"; latency: boolean }
  | { cmd: "read" }
  | { cmd: "peek" }
  | { cmd: "disconnect" };

const sockets: WebSocket[] = [];
let delivered = 0;
let closedEarly = 0;
let latency = false;
let latencies: number[] = [];
let progressTimer: ReturnType<typeof setInterval> | undefined;

const now = () => performance.timeOrigin + performance.now();

function record(payload: string): void {
  delivered++;
  if (!latency) return;
  // Every payload is an envelope whose delta is the publish time in ms (JSON-escaped once more by Socket.io).
  const stamp = /"delta\\?":\\?"([\d.]+)/.exec(payload)?.[1];
  if (stamp) latencies.push(now() - Number(stamp));
}

function connectOne(kind: ServerKind, port: number, channel: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const url =
      kind === "ours"
        ? `ws://127.0.0.1:${port}/realtime`
        : kind === "minimal" || kind === "tuned"
          ? `ws://127.0.0.1:${port}/?channel=${channel}`
          : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, kind === "ours" ? { headers: { authorization: "Bearer bench" } } : {});
    let ready = false;
    ws.on("error", reject);
    ws.on("close", () => {
      if (ready) closedEarly++;
    });
    ws.on("message", (data) => {
      const text = data.toString();
      if (ready) {
        if (kind !== "socketio") return record(text);
        if (text === "2") return ws.send("3");
        return record(text);
      }
      if (kind === "ours" && text.startsWith('{"type":"subscribed"')) ready = true;
      else if ((kind === "minimal" || kind === "tuned") && text === "ok") ready = true;
      else if (kind === "socketio") {
        if (text.startsWith("0{")) ws.send("40");
        else if (text.startsWith("40")) ws.send(`42${JSON.stringify(["join", channel])}`);
        else if (text === '42["joined"]') ready = true;
      }
      if (ready) resolve();
    });
    ws.on("open", () => {
      sockets.push(ws);
      if (kind === "ours") ws.send(JSON.stringify({ type: "subscribe", channel }));
    });
  });
}

async function connect(command: Extract<LoadCommand, { cmd: "connect" }>): Promise<void> {
  const { kind, port, clients, channels } = command;
  let next = 0;
  // A few hundred handshakes at a time: fast, without a SYN flood on the listen backlog.
  const worker = async () => {
    while (next < clients) {
      const i = next++;
      await connectOne(kind, port, channels[i % channels.length]!);
    }
  };
  await Promise.all(Array.from({ length: 200 }, worker));
}

process.on("message", async (command: LoadCommand) => {
  switch (command.cmd) {
    case "connect":
      await connect(command);
      return process.send?.({ type: "connected", sockets: sockets.length });
    case "count":
      delivered = 0;
      latencies = [];
      latency = command.latency;
      clearInterval(progressTimer);
      progressTimer = setInterval(() => process.send?.({ type: "progress", delivered }), 20);
      return;
    case "peek":
      return process.send?.({ type: "peek", delivered });
    case "read":
      clearInterval(progressTimer);
      return process.send?.({ type: "read", delivered, closedEarly, latencies });
    case "disconnect": {
      const closing = sockets.splice(0).map((ws) => {
        if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
        const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
        ws.terminate();
        return closed;
      });
      return Promise.all(closing).then(() => {
        closedEarly = 0;
        process.send?.({ type: "disconnected" });
      });
    }
  }
});
process.send?.({ type: "ready" });
