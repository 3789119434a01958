// Fan-out benchmark driver, called by bench/suites/realtime.ts. Each server under test and the load
// (all client sockets) run in their own child processes; this process publishes to Redis.
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { conversationChannel, publishEvent } from "@avatar-chat/protocol";
import { deleteKeys } from "@avatar-chat/protocol/testing";
import { Emitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";
import type { LoadCommand, ServerKind } from "./fanout-load";

const here = path.dirname(new URL(import.meta.url).pathname);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const clientsPerChannel = 10;
// Measurement windows. The four systems run side by side and are measured in turn, round after round, so
// each ratio is taken between measurements seconds apart (a busier minute of the shared machine falls on both
// sides of it); a first round, not counted, warms the JIT. Windows are short since the rounds repeat.
export const ROUNDS = Number(process.env.REALTIME_BENCH_ROUNDS ?? 8);
const windows = { warmUpMs: 500, saturateS: 2, latencyS: 1, warmUp10kMs: 1000, saturate10kS: 3 };

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
    /** Calls `listener` with every reply until the returned function is called. */
    onMessage: (listener: (reply: Reply) => void) => {
      listeners.push(listener);
      return () => void listeners.splice(listeners.indexOf(listener), 1);
    },
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
async function saturate(ctx: Context, seconds: number, warmUpMs: number) {
  let delivered = 0;
  const unsubscribe = ctx.load.onMessage((reply) => {
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
  await runFor(warmUpMs); // fill the pipeline
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
  unsubscribe();
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
  /** Only the 10k idle-connection memory phase (after 1k connect/disconnect); otherwise 10k saturation. */
  idleOnly?: boolean;
}

export interface TenKResult {
  fanout10k: number;
  idleConnBytes: number;
  idleConnHeapBytes: number;
}

/** One server of `kind` in a fresh process with its own load process, 10,000 clients: saturation or idle memory. */
export async function measureSystem(kind: ServerKind, options: MeasureOptions): Promise<TenKResult> {
  const began = performance.now();
  const log = (step: string) =>
    console.log(`  realtime ${kind}: ${step} (${((performance.now() - began) / 1000).toFixed(1)} s)`);
  const prefix = `bench:${randomUUID()}:`;
  const redis = new Redis(redisUrl);
  const load = spawnChild("fanout-load.ts", []);
  const server = spawnChild("fanout-server.ts", [kind, redisUrl, prefix]);
  try {
    // Both waits registered at once: a "ready" that arrives before anyone waits for it is dropped.
    const [, serverReady] = await Promise.all([load.next("ready"), server.next("ready")]);
    const { port } = serverReady as unknown as { port: number };
    const publish = makePublisher(kind, redis, prefix);
    const connect = (channels: string[], clients: number) =>
      load.request({ cmd: "connect", kind, port, clients, channels } satisfies LoadCommand, "connected");
    if (options.idleOnly) {
      // 1,000 clients connected and gone first, as in every measurement of this memory figure so far.
      await connect(channelNames(1000 / clientsPerChannel, "a"), 1000);
      await load.request({ cmd: "disconnect" } satisfies LoadCommand, "disconnected");
    }
    // Memory per idle connection is the marginal cost of the second 5,000 connections: by then the heap and
    // allocator have grown for the first ones, so one-off growth is not charged to the connections.
    const channels10k = channelNames(10_000 / clientsPerChannel, "b");
    const [firstHalf, secondHalf] = [
      channels10k.slice(0, channels10k.length / 2),
      channels10k.slice(channels10k.length / 2),
    ];
    await connect(firstHalf, 5000);
    if (options.idleOnly) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await usage(server);
      await connect(secondHalf, 5000);
      log("10k connected");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await usage(server);
      return {
        fanout10k: Number.NaN,
        idleConnBytes: (after.rss - before.rss) / 5000,
        idleConnHeapBytes: (after.heap - before.heap) / 5000,
      };
    }
    await connect(secondHalf, 5000);
    log("10k connected");
    const ctx10k = { load, server, publish, channels: channels10k, clients: 10_000 };
    const { rate } = await saturate(ctx10k, windows.saturate10kS, windows.warmUp10kMs);
    return { fanout10k: rate, idleConnBytes: Number.NaN, idleConnHeapBytes: Number.NaN };
  } finally {
    await stop(server.child);
    await stop(load.child);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
}

/** One system's figures in one round at 1,000 clients. */
export interface RoundResult {
  fanout1k: number;
  cpuPerMillion: number;
  p50: number;
  p99: number;
}

export const KINDS = ["ours", "minimal", "tuned", "socketio"] as const satisfies readonly ServerKind[];
export type Round = Record<ServerKind, RoundResult>;

/**
 * The four systems side by side, each server in its own process with 1,000 clients subscribed from one
 * shared load process, measured in turn for `rounds` rounds (after one uncounted warm-up round). Only the
 * system being measured gets traffic; the others hold their idle clients.
 */
export async function measureRounds(rounds: number): Promise<Round[]> {
  const run = `bench:${randomUUID()}:`;
  const redis = new Redis(redisUrl);
  const load = spawnChild("fanout-load.ts", []);
  const servers: Child[] = [];
  try {
    await load.next("ready");
    const contexts = {} as Record<ServerKind, Context>;
    for (const kind of KINDS) {
      // Minimal and tuned read the same Redis channel names: each system gets its own prefix.
      const prefix = `${run}${kind}:`;
      const server = spawnChild("fanout-server.ts", [kind, redisUrl, prefix]);
      servers.push(server);
      const { port } = (await server.next("ready")) as unknown as { port: number };
      const channels = channelNames(1000 / clientsPerChannel, kind);
      await load.request(
        { cmd: "connect", kind, port, clients: 1000, channels } satisfies LoadCommand,
        "connected",
      );
      const publish = makePublisher(kind, redis, prefix);
      contexts[kind] = { load, server, publish, channels, clients: 1000 };
    }
    const measureOne = async (kind: ServerKind): Promise<RoundResult> => {
      const timed = await latency(contexts[kind], 1000, windows.latencyS);
      const saturated = await saturate(contexts[kind], windows.saturateS, windows.warmUpMs);
      return {
        fanout1k: saturated.rate,
        cpuPerMillion: saturated.cpuPerMillion,
        p50: timed.p50,
        p99: timed.p99,
      };
    };
    const results: Round[] = [];
    const began = performance.now();
    for (let round = 0; round <= rounds; round++) {
      const measured = {} as Round;
      for (const kind of KINDS) measured[kind] = await measureOne(kind);
      if (round > 0) results.push(measured);
      const rates = KINDS.map((kind) => `${kind} ${Math.round(measured[kind].fanout1k)}`).join(", ");
      console.log(
        `  realtime round ${round === 0 ? "warm-up" : round}: ${rates} msgs/s (${((performance.now() - began) / 1000).toFixed(1)} s)`,
      );
    }
    return results;
  } finally {
    for (const server of servers) await stop(server.child);
    await stop(load.child);
    await deleteKeys(redis, run);
    redis.disconnect();
  }
}
