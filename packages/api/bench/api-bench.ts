import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { Redis } from "ioredis";
import { generateApiKey } from "../src/auth/api-keys";
import { createSession, SESSION_COOKIE } from "../src/auth/sessions";
import type { LoadCommand, LoadResult } from "./api-load";
import type { ServerKind, ServerOptions } from "./api-server";

// Driver of the api benchmark (bench/suites/api.ts). Each server runs in its own child process for the
// whole suite, the load (autocannon) in another, all on this machine's cores; the suite makes its own
// database and Redis prefix. Targets: bare Hono and Fastify JSON routes; `widget.config` answered from
// pre-serialised bytes (before tRPC runs) and the same query as a one-call batch, which the middleware
// and tRPC's fetch adapter execute; `chatbot.list` with API keys (400 keys round robin: one key may make
// 600 calls a minute) and with dashboard session cookies (400 sessions), against a floor that does the
// same key check and SELECT on a bare Hono route. Every target runs once per round and the rounds repeat,
// so each ratio is the median of ratios measured seconds apart. Then an open loop at a steady 3,000 req/s.
// The all-in-one process runs twice: tracing off (the default) and on, exporting OTLP/HTTP to a sink here,
// so the key path's cost of tracing is a ratio of neighbouring measurements.

const apiDir = path.dirname(new URL(import.meta.url).pathname);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const CONNECTIONS = 50;
/** Each target is measured this long in each round; rounds alternate baseline and ours. */
export const SECONDS = Number(process.env.API_BENCH_SECONDS ?? 8);
export const ROUNDS = Number(process.env.API_BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = 3;
export const KEYS = 400;
/** Distinct dashboard sessions the session path rotates over (600 calls a minute each at most). */
export const SESSIONS = 400;
const DASHBOARD_ORIGIN = "http://dashboard.bench";
/** The list's latency is also measured at a steady offered load of the throughput it must sustain. */
export const LIST_RATE = 3_000;

function forkChild(file: string, args: string[]): ChildProcess {
  return fork(path.resolve(apiDir, file), args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`${child.spawnfile} exited with ${code}`));
    child.once("exit", exited);
    child.once("message", (message) => {
      child.off("exit", exited);
      resolve(message as T);
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** A server under test, running for the whole suite; each target is one URL on one of them. */
interface Running {
  child: ChildProcess;
  port: number;
}

/** What `pnpm start` runs: api, worker and realtime in one process (apps/platform/bench/platform-server.ts). */
const PLATFORM_SERVER = path.join(apiDir, "../../../apps/platform/bench/platform-server.ts");

type ServerName = ServerKind | "platform" | "platformTraced";

async function startServer(
  kind: ServerName,
  options: ServerOptions & { otlpEndpoint?: string },
): Promise<Running> {
  const serverOptions = JSON.stringify({ ...options, prefix: `${options.prefix}${kind}:` });
  const child =
    kind === "platform" || kind === "platformTraced"
      ? forkChild(PLATFORM_SERVER, [serverOptions])
      : forkChild("api-server.ts", [kind, serverOptions]);
  const { port } = await nextMessage<{ port: number }>(child);
  return { child, port };
}

interface Target {
  server: Running;
  path: string;
  bearers?: string[];
  cookies?: string[];
}

function loadRunner(load: ChildProcess) {
  return async (target: Target, seconds: number, rate?: number): Promise<LoadResult> => {
    const command: LoadCommand = {
      url: `http://127.0.0.1:${target.server.port}${target.path}`,
      connections: CONNECTIONS,
      seconds,
      origin: DASHBOARD_ORIGIN,
      ...(target.bearers ? { bearers: target.bearers } : {}),
      ...(target.cookies ? { cookies: target.cookies } : {}),
      ...(rate ? { rate } : {}),
    };
    load.send(command);
    return nextMessage<LoadResult>(load);
  };
}

async function seed(db: Awaited<ReturnType<typeof createTestDatabase>>["kysely"]) {
  const tenant = await db
    .insertInto("tenants")
    .values({ name: "Bench", slug: "bench" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const chatbots = await db
    .insertInto("chatbots")
    .values(
      [1, 2, 3].map((n) => ({
        tenant_id: tenant.id,
        name: `Bench bot ${n}`,
        greeting: "Hello! How can I help?",
        avatar: "{}",
        theme: JSON.stringify({ primaryColor: "#3355ff" }),
        public_key: `pk_bench${n}${randomBytes(6).toString("hex")}`,
        published: true,
      })),
    )
    .returning("public_key")
    .execute();
  const keys = Array.from({ length: KEYS }, () => generateApiKey());
  await db
    .insertInto("api_keys")
    .values(
      keys.map((k, i) => ({
        tenant_id: tenant.id,
        name: `bench ${i}`,
        prefix: k.prefix,
        key_hash: k.hash,
        scopes: ["read"],
      })),
    )
    .execute();
  // Dashboard members, each signed in once: the session path as many people use it.
  const users = await db
    .insertInto("users")
    .values(
      Array.from({ length: SESSIONS }, (_, i) => ({
        email: `m${i}@bench.test`,
        name: `m${i}`,
        password_hash: "-",
      })),
    )
    .returning("id")
    .execute();
  await db
    .insertInto("memberships")
    .values(users.map((u) => ({ tenant_id: tenant.id, user_id: u.id, role: "member" as const })))
    .execute();
  const cookies: string[] = [];
  for (const user of users) {
    const { token } = await createSession(db, user.id, 86_400_000, new Date(), {
      userAgent: "bench",
      ip: "127.0.0.1",
      activeTenantId: tenant.id,
    });
    cookies.push(`${SESSION_COOKIE}=${token}`);
  }
  return { publicKey: chatbots[0]!.public_key, keys: keys.map((k) => k.key), cookies };
}

export const describeLoad = (r: LoadResult) =>
  `${r.requests} requests${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ""}`;

export type TargetName =
  | "hono"
  | "fastify"
  | "preserialised"
  | "trpcPublic"
  | "floor"
  | "authList"
  | "sessionList"
  | "platformAuthList"
  | "platformSessionList"
  | "platformTracedAuthList";

export interface ApiBenchResult {
  /** Each target's result in every round, in round order. */
  rounds: Record<TargetName, LoadResult[]>;
  listAtRate: LoadResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median over rounds of one statistic, and of its round-by-round ratio to a baseline. */
export function medianOf(
  result: ApiBenchResult,
  name: TargetName,
  stat: "rps" | "p99" | "p50",
  baseline?: TargetName,
) {
  const ours = result.rounds[name].map((r) => r[stat]);
  const value = median(ours);
  if (!baseline) return { value, ratio: null, baseline: null, spread: ours };
  const base = result.rounds[baseline].map((r) => r[stat]);
  return { value, baseline: median(base), ratio: median(ours.map((v, i) => v / base[i]!)), spread: ours };
}

export async function measureApi(): Promise<ApiBenchResult> {
  const database = await createTestDatabase();
  const prefix = `bench:api:${randomBytes(4).toString("hex")}:`;
  const options: ServerOptions = {
    databaseUrl: database.url,
    redisUrl,
    prefix,
    appSecret: randomBytes(32).toString("hex"),
  };
  const load = forkChild("api-load.ts", []);
  const servers: Running[] = [];
  // Where the traced platform exports its spans: accepted and dropped, as a collector would take them.
  const sink = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end("{}")));
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const otlpEndpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  try {
    const { publicKey, keys, cookies } = await seed(database.kysely);
    const started = async (kind: ServerName) => {
      const server = await startServer(
        kind,
        kind === "platformTraced" ? { ...options, otlpEndpoint } : options,
      );
      servers.push(server);
      return server;
    };
    const [hono, fastify, floor, api, platform, platformTraced] = [
      await started("hono"),
      await started("fastify"),
      await started("floor"),
      await started("api"),
      await started("platform"),
      await started("platformTraced"),
    ];
    const config = encodeURIComponent(JSON.stringify({ publicKey }));
    // Baseline, ours, baseline, ours: a minute of a busier machine falls on both sides of a ratio.
    const targets: Record<TargetName, Target> = {
      hono: { server: hono, path: "/json" },
      preserialised: { server: api, path: `/trpc/widget.config?input=${config}` },
      trpcPublic: {
        server: api,
        path: `/trpc/widget.config?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { publicKey } }))}`,
      },
      fastify: { server: fastify, path: "/json" },
      floor: { server: floor, path: "/trpc/chatbot.list", bearers: keys },
      authList: { server: api, path: "/trpc/chatbot.list", bearers: keys },
      sessionList: { server: api, path: "/trpc/chatbot.list", cookies },
      platformAuthList: { server: platform, path: "/trpc/chatbot.list", bearers: keys },
      // Right after its untraced twin: the two sides of the tracing ratio are seconds apart.
      platformTracedAuthList: { server: platformTraced, path: "/trpc/chatbot.list", bearers: keys },
      platformSessionList: { server: platform, path: "/trpc/chatbot.list", cookies },
    };
    const run = loadRunner(load);
    for (const target of Object.values(targets)) await run(target, WARMUP_SECONDS); // JIT, caches, pools
    const rounds = Object.fromEntries(
      Object.keys(targets).map((name) => [name, [] as LoadResult[]]),
    ) as Record<TargetName, LoadResult[]>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, target] of Object.entries(targets) as [TargetName, Target][]) {
        rounds[name].push(await run(target, SECONDS));
      }
    }
    await run(targets.authList, WARMUP_SECONDS, LIST_RATE); // warms the generator's open-loop path
    const listAtRate = await run(targets.authList, SECONDS, LIST_RATE);
    return { rounds, listAtRate };
  } finally {
    for (const server of servers) await stop(server.child);
    await stop(load);
    sink.close();
    const redis = new Redis(redisUrl);
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length) await redis.del(...stale);
    redis.disconnect();
    await database.drop();
  }
}
