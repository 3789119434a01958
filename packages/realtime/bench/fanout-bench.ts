// Fan-out benchmark driver, called by bench/suites/realtime.ts. Each server under test and the load
// (all client sockets) run in their own child processes; this process publishes to Redis.
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { conversationChannel, publishEvent } from "@avatar-chat/protocol";
import { Emitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";
import type { LoadCommand, ServerKind } from "./fanout-load";

const here = path.dirname(new URL(import.meta.url).pathname);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const clientsPerChannel = 10;
// Measurement windows. 2 s after 0.5 s of warm-up let two runs minutes apart differ by more than 10 %; these
// are as long as four systems measured twice stay within the suite's four minutes.
const windows = { warmUpMs: 1000, saturateS: 4, saturate10kS: 3, latencyS: 3 };

type Reply = Record<string, unknown> & { type: string };

function spawnChild(file: string, args: string[]) {
  const child = fork(path.join(here, file), args, {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiters: { type: string; resolve: (reply: Reply) => void }[] = [];
  const listeners: ((reply: Reply) => void)[] = [];
  child.on("message", (reply: Reply) => {
    for (const listener of listeners) listener(reply);
    const index = waiters.findIndex((w) => w.type === reply.type);
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(reply);
  });
  const next = (type: string) => new Promise<Reply>((resolve) => waiters.push({ type, resolve }));
  return {
    child,
    next,
    onMessage: (listener: (reply: Reply) => void) => listeners.push(listener),
    request: (command: object, replyType: string) => {
      const reply = next(replyType);
      child.send(command);
      return reply;
    },
  };
}
type Child = ReturnType<typeof spawnChild>;

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Publishes one token-sized message to a channel the way each system expects it. */
function makePublisher(kind: ServerKind, redis: Redis, prefix: string) {
  const emitter = new Emitter(redis, { key: `${prefix}sio` });
  let index = 0;
  return (channel: string): Promise<unknown> => {
    const delta = (performance.timeOrigin + performance.now()).toFixed(3);
    const event = {
      type: "message.delta",
      conversationId: channel.slice(5),
      messageId: "m1",
      delta,
      index: index++,
    } as const;
    if (kind === "ours") return publishEvent(redis, channel, event, { prefix, maxLen: 1000 });
    // Same bytes as our envelope, so every system carries the same payload.
    const envelope = JSON.stringify({ id: index, channel, at: new Date().toISOString(), event });
    if (kind === "minimal" || kind === "tuned") return redis.publish(`${prefix}min:${channel}`, envelope);
    emitter.to(channel).emit("e", envelope);
    return Promise.resolve();
  };
}

export interface SystemResult {
  fanout1k: number;
  fanout10k: number | null;
  p50: number;
  p99: number;
  cpuPerMillion: number;
  idleConnBytes: number | null;
  idleConnHeapBytes: number | null;
}

interface Context {
  load: Child;
  server: Child;
  publish: (channel: string) => Promise<unknown>;
  channels: string[];
  clients: number;
}

async function usage(server: Child) {
  return (await server.request({ cmd: "usage" }, "usage")) as unknown as {
    cpuSeconds: number;
    rss: number;
    heap: number;
  };
}

/** Delivered messages per second with publishing kept just ahead of delivery (a bounded window). */
async function saturate(ctx: Context, seconds: number) {
  let delivered = 0;
  ctx.load.onMessage((reply) => {
    if (reply.type === "progress") delivered = reply.delivered as number;
  });
  ctx.load.child.send({ cmd: "count", latency: false } satisfies LoadCommand);
  const window = Math.min(50_000, ctx.clients * 20);
  const cpuBefore = (await usage(ctx.server)).cpuSeconds;
  let published = 0;
  const peek = async () =>
    (await ctx.load.request({ cmd: "peek" } satisfies LoadCommand, "peek")).delivered as number;
  const pump = () => {
    while (published * clientsPerChannel - delivered < window) {
      void ctx.publish(ctx.channels[published % ctx.channels.length]!);
      published++;
    }
  };
  const runFor = async (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      pump();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  await runFor(windows.warmUpMs); // warm-up: fill the pipeline and let the JIT settle
  const from = { at: performance.now(), delivered: await peek() };
  await runFor(seconds * 1000);
  const to = { at: performance.now(), delivered: await peek() };
  const rate = ((to.delivered - from.delivered) / (to.at - from.at)) * 1000;
  const drainUntil = performance.now() + 5000;
  while (delivered < published * clientsPerChannel && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cpuSeconds = (await usage(ctx.server)).cpuSeconds - cpuBefore;
  const read = await ctx.load.request({ cmd: "read" } satisfies LoadCommand, "read");
  if ((read.closedEarly as number) > 0)
    throw new Error(`${read.closedEarly} clients were dropped during the run`);
  return { rate, cpuPerMillion: (cpuSeconds / (read.delivered as number)) * 1e6 };
}

/** Publish-to-receive latency at a fixed publish rate. */
async function latency(ctx: Context, perSecond: number, seconds: number) {
  ctx.load.child.send({ cmd: "count", latency: true } satisfies LoadCommand);
  const started = performance.now();
  let published = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed / 1000) * perSecond), perSecond * seconds);
      for (; published < due; published++) void ctx.publish(ctx.channels[published % ctx.channels.length]!);
      if (published >= perSecond * seconds) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const read = await ctx.load.request({ cmd: "read" } satisfies LoadCommand, "read");
  const samples = (read.latencies as number[]).sort((a, b) => a - b);
  const at = (p: number) =>
    samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)] ?? Number.NaN;
  return { p50: at(50), p99: at(99), samples: samples.length };
}

function channelNames(count: number, run: string): string[] {
  return Array.from({ length: count }, (_, i) => conversationChannel(`${run}-${i}`));
}

export interface MeasureOptions {
  with10k: boolean;
  /** Only the 10k idle-connection memory phase (after 1k connect/disconnect), the only mode that measures
   * it; the other figures are NaN. */
  idleOnly?: boolean;
}

export async function measureSystem(kind: ServerKind, options: MeasureOptions): Promise<SystemResult> {
  const began = performance.now();
  const log = (step: string) =>
    console.log(`  realtime ${kind}: ${step} (${((performance.now() - began) / 1000).toFixed(1)} s)`);
  const prefix = `bench:${randomUUID()}:`;
  const redis = new Redis(redisUrl);
  const load = spawnChild("fanout-load.ts", []);
  const server = spawnChild("fanout-server.ts", [kind, redisUrl, prefix]);
  try {
    await load.next("ready");
    const { port } = (await server.next("ready")) as unknown as { port: number };
    const publish = makePublisher(kind, redis, prefix);

    const channels1k = channelNames(1000 / clientsPerChannel, "a");
    await load.request(
      { cmd: "connect", kind, port, clients: 1000, channels: channels1k } satisfies LoadCommand,
      "connected",
    );
    const ctx1k: Context = { load, server, publish, channels: channels1k, clients: 1000 };
    log("1k connected");
    let timed = { p50: Number.NaN, p99: Number.NaN };
    let saturated = { rate: Number.NaN, cpuPerMillion: Number.NaN };
    if (!options.idleOnly) {
      timed = await latency(ctx1k, 1000, windows.latencyS);
      log("1k latency measured");
      saturated = await saturate(ctx1k, windows.saturateS);
      log("1k saturation measured");
    }
    await load.request({ cmd: "disconnect" } satisfies LoadCommand, "disconnected");

    let fanout10k: number | null = null;
    let idleConnBytes: number | null = null;
    let idleConnHeapBytes: number | null = null;
    if (options.with10k) {
      // Memory per idle connection is the marginal cost of the second 5,000 connections: by then the heap and
      // allocator have grown for the first ones, so one-off growth is not charged to the connections.
      const channels10k = channelNames(10_000 / clientsPerChannel, "b");
      const connect = (channels: string[]) =>
        load.request(
          { cmd: "connect", kind, port, clients: 5000, channels } satisfies LoadCommand,
          "connected",
        );
      const [firstHalf, secondHalf] = [
        channels10k.slice(0, channels10k.length / 2),
        channels10k.slice(channels10k.length / 2),
      ];
      await connect(firstHalf);
      if (options.idleOnly) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const before = await usage(server);
        await connect(secondHalf);
        log("10k connected");
        await new Promise((resolve) => setTimeout(resolve, 500));
        const after = await usage(server);
        idleConnBytes = (after.rss - before.rss) / 5000;
        idleConnHeapBytes = (after.heap - before.heap) / 5000;
      } else {
        await connect(secondHalf);
        log("10k connected");
        const ctx10k = { load, server, publish, channels: channels10k, clients: 10_000 };
        fanout10k = (await saturate(ctx10k, windows.saturate10kS)).rate;
      }
    }
    return {
      fanout1k: saturated.rate,
      fanout10k,
      p50: timed.p50,
      p99: timed.p99,
      cpuPerMillion: saturated.cpuPerMillion,
      idleConnBytes,
      idleConnHeapBytes,
    };
  } finally {
    await stop(server.child);
    await stop(load.child);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}
