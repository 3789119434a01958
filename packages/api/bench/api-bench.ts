import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createTestDatabase } from "@avatar-chat/db/testing";
import { Redis } from "ioredis";
import { generateApiKey } from "../src/auth/api-keys";
import type { LoadCommand, LoadResult } from "./api-load";
import type { ServerKind, ServerOptions } from "./api-server";

// Driver of the api benchmark (bench/suites/api.ts): the api's two hot paths against bare frameworks. Each server runs in its own child process, the load
// (autocannon) in another, all on this machine's cores. The suite makes its own database and Redis prefix.
// (1) bare Hono JSON route, (2) bare Fastify JSON route, (3) `widget.config` by public key over tRPC
// (the widget's first request, cached in-process), (4) `chatbot.list` with API keys (key check, rate-limit
// hit in Redis, a tenant-scoped read): closed loop at saturation, then open loop at a steady 3,000 req/s. Keys rotate over 400 keys of one tenant because one key is
// rate limited to 600 requests a minute, and each server starts on its own Redis prefix (fresh counters);
// every request still pays the per-key Redis rate-limit round trip.

const apiDir = path.dirname(new URL(import.meta.url).pathname);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const CONNECTIONS = 50;
export const SECONDS = 10;
const WARMUP_SECONDS = 3;
export const KEYS = 400;
/** The list's latency is also measured at a steady offered load of the throughput it must sustain. */
export const LIST_RATE = 3_000;

function forkChild(file: string, args: string[]): ChildProcess {
  return fork(path.join(apiDir, file), args, {
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

let measured = 0;

async function measure(
  load: ChildProcess,
  kind: ServerKind,
  options: ServerOptions,
  path: string,
  bearers?: string[],
  rate?: number,
) {
  measured++;
  const server = forkChild("api-server.ts", [
    kind,
    JSON.stringify({ ...options, prefix: `${options.prefix}${measured}:` }),
  ]);
  try {
    const { port } = await nextMessage<{ port: number }>(server);
    const command: LoadCommand = {
      url: `http://127.0.0.1:${port}${path}`,
      connections: CONNECTIONS,
      seconds: WARMUP_SECONDS,
    };
    if (bearers) command.bearers = bearers;
    const run = (c: LoadCommand) => {
      load.send(c);
      return nextMessage<LoadResult>(load);
    };
    await run(command); // warms the server: JIT, caches, pools
    if (rate) await run({ ...command, rate }); // warms the generator's open-loop path
    return await run({ ...command, seconds: SECONDS, ...(rate ? { rate } : {}) });
  } finally {
    await stop(server);
  }
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
  return { publicKey: chatbots[0]!.public_key, keys: keys.map((k) => k.key) };
}

export const describeLoad = (r: LoadResult) =>
  `${r.requests} requests${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ""}`;

export interface ApiBenchResult {
  hono: LoadResult;
  fastify: LoadResult;
  hot: LoadResult;
  list: LoadResult;
  listAtRate: LoadResult;
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
  try {
    const { publicKey, keys } = await seed(database.kysely);
    const hono = await measure(load, "hono", options, "/json");
    const fastify = await measure(load, "fastify", options, "/json");
    const configInput = encodeURIComponent(JSON.stringify({ publicKey }));
    const hot = await measure(load, "api", options, `/trpc/widget.config?input=${configInput}`);
    const list = await measure(load, "api", options, "/trpc/chatbot.list", keys);
    const listAtRate = await measure(load, "api", options, "/trpc/chatbot.list", keys, LIST_RATE);
    return { hono, fastify, hot, list, listAtRate };
  } finally {
    await stop(load);
    const redis = new Redis(redisUrl);
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length) await redis.del(...stale);
    redis.disconnect();
    await database.drop();
  }
}
