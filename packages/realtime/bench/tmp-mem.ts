import { fork } from "node:child_process";
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
const mode = process.argv[2] ?? "frame";
if (process.argv[3] === "server") {
  const { createRealtime } = await import("../src/server");
  const { canJoin } = await import("../src/access");
  const rt = createRealtime({ path: "/", redis: "redis://127.0.0.1:6379", keyPrefix: "memtest:", authenticate: async () => ({ kind: "apiKey", tenantId: "b", keyId: "k" }), authorize: (p, c) => canJoin(p, c, async () => ({ tenantId: "b", visitorId: "v" })) });
  const server = { address: () => ({ port: 0 }) };
  const { port: rtPort } = await rt.listen(0, "127.0.0.1");
  (server as any).address = () => ({ port: rtPort });
  process.on("message", () => { (globalThis as any).gc(); const m = process.memoryUsage(); process.send!({ rss: m.rss, total: m.heapTotal, heap: m.heapUsed, ext: m.external, ab: m.arrayBuffers }); });
  process.send!({ port: (server.address() as any).port });
} else {
  const child = fork(new URL(import.meta.url).pathname, [mode, "server"], { execArgv: ["--expose-gc", "--import", "tsx"] });
  const next = () => new Promise<any>((r) => child.once("message", r));
  const { port } = await next();
  const usage = async () => { child.send("u"); return next(); };
  const n = 4000;
  let b = await usage();
  for (let i = 0; i < 2 * n; i++) {
    if (i === n) { await new Promise((r) => setTimeout(r, 500)); b = await usage(); }
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((r) => ws.once("open", r));
    if (mode !== "none") { ws.send(JSON.stringify({ type: "subscribe", channel: `conv:m${i % 500}` })); await new Promise((r) => ws.once("message", r)); }
  }
  await new Promise((r) => setTimeout(r, Number(process.env.WAIT ?? 500)));
  const a = await usage();
  console.log(mode, { rss: (a.rss - b.rss) / n, total: (a.total - b.total) / n, heap: (a.heap - b.heap) / n, ext: (a.ext - b.ext) / n, ab: (a.ab - b.ab) / n });
  child.kill(); process.exit(0);
}
