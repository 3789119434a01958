// Visitors sending steadily through a platform process while a dependency goes away: what they were
// answered, whether every stored message got exactly one reply, and how long the outage was felt.
// Shared by the outage tests and `pnpm bench outage`.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBrowserClient } from "@avatar-chat/api/testing";
import { replyMessageId } from "@avatar-chat/worker";
import {
  freePort,
  type PrivatePostgres,
  type PrivateRedis,
  privatePostgres,
  privateRedis,
  privateSentinelRedis,
  type SentinelRedis,
} from "./private-services";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PlatformProcess {
  url: string;
  child: ChildProcess;
  /** Every line the process wrote to stderr (its structured log, and anything printed beside it). */
  stderr: string[];
  stop(): Promise<void>;
}

/** `pnpm start` as its own process (so a crash shows as an exit), ready once it prints its banner. */
export async function startPlatformProcess(env: Record<string, string>): Promise<PlatformProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "outage-data-"));
  const child = spawn(process.execPath, ["--import", "tsx", "apps/platform/src/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      API_PORT: String(port),
      PUBLIC_URL: url,
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  let partial = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    stderr.push(...lines);
  });
  let stdout = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("platform is running")) resolve();
    });
    child.once("exit", (code) =>
      reject(new Error(`platform exited (${code}) while starting:\n${stderr.join("\n")}`)),
    );
  });
  return {
    url,
    child,
    stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Visitor {
  apiKey: string;
  conversationId: string;
}

/** One workspace with a chatbot and a conversation per visitor (each its own API key: own rate limits). */
async function visitorsOf(url: string, count: number): Promise<Visitor[]> {
  const owner = createBrowserClient({ url, origin: url });
  await owner.auth.signUp.mutate({
    email: `owner-${randomUUID()}@example.test`,
    password: "a long enough password",
    name: "Owner",
    workspaceName: "Outage Shop",
  });
  const bot = await owner.chatbot.create.mutate({ name: "Outage bot" });
  const visitors: Visitor[] = [];
  for (let i = 0; i < count; i++) {
    const { key } = await owner.apiKey.create.mutate({ name: `visitor ${i}`, scopes: ["chat"] });
    const client = createBrowserClient({ url, origin: url, bearer: key });
    const { conversationId } = await client.conversation.start.mutate({ chatbotId: bot.id });
    visitors.push({ apiKey: key, conversationId });
  }
  return visitors;
}

export interface SendRecord {
  at: number;
  /** HTTP status, or 0 when the request got no answer (connection refused: the process is gone). */
  status: number;
}

/** conversation.send over plain HTTP, so the status is seen as a widget sees it. */
async function send(url: string, visitor: Visitor, content: string, clientMessageId: string) {
  try {
    const response = await fetch(`${url}/trpc/conversation.send`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${visitor.apiKey}` },
      body: JSON.stringify({ conversationId: visitor.conversationId, content, clientMessageId }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => null)) as {
      result?: { data?: { messageId?: string } };
    } | null;
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      messageId: body?.result?.data?.messageId ?? null,
    };
  } catch {
    return { status: 0, retryAfter: null, messageId: null };
  }
}

/**
 * Each visitor sends a message, waits for the answer to the send and a little more, and sends the next.
 * A 503 or 429 is retried with the same client message id (as the widget does) by half of them; anything
 * else is a failure the visitor would see.
 */
function sendSteadily(url: string, visitors: Visitor[], records: SendRecord[]) {
  let stopping = false;
  const accepted: string[] = [];
  const loops = visitors.map(async (visitor, v) => {
    for (let n = 0; !stopping; n++) {
      const clientMessageId = randomUUID();
      for (let attempt = 0; attempt < 200; attempt++) {
        const result = await send(url, visitor, `Question ${n} from visitor ${v}`, clientMessageId);
        records.push({ at: Date.now(), status: result.status });
        if (result.status === 200) {
          if (result.messageId) accepted.push(result.messageId);
          break;
        }
        // Every other visitor leaves after a refusal (tab closed): what they sent is owed a reply all the same.
        if ((result.status !== 503 && result.status !== 429) || v % 2 === 1) break;
        await sleep(250);
      }
      await sleep(400);
    }
  });
  return {
    accepted,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** /healthz and /readyz asked every 200 ms: liveness must hold throughout, readiness should drop. */
function probeHealth(url: string) {
  let stopping = false;
  const seen = { healthz: new Set<number>(), readyz: new Set<number>() };
  const status = (path: string) =>
    fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      () => 0,
    );
  const loop = (async () => {
    while (!stopping) {
      const [healthz, readyz] = await Promise.all([status("/healthz"), status("/readyz")]);
      seen.healthz.add(healthz);
      seen.readyz.add(readyz);
      await sleep(200);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { healthz: [...seen.healthz].sort(), readyz: [...seen.readyz].sort() };
    },
  };
}

/**
 * The outage as visitors felt it (seconds): from the first answer that was not a 200 to the first 200
 * after the last one (with several visitors, one may still get through while others already fail).
 * Null when nothing failed.
 */
export function outageWindowS(records: readonly SendRecord[]): number | null {
  const sorted = [...records].sort((a, b) => a.at - b.at);
  const failed = sorted.filter((r) => r.status !== 200);
  const first = failed[0];
  const last = failed.at(-1);
  if (!first || !last) return null;
  const recovered = sorted.find((r) => r.at > last.at && r.status === 200);
  return recovered ? (recovered.at - first.at) / 1000 : Number.POSITIVE_INFINITY;
}

interface TranscriptMessage {
  id: string;
  role: string;
}

async function transcript(url: string, visitor: Visitor): Promise<TranscriptMessage[]> {
  const client = createBrowserClient({ url, origin: url, bearer: visitor.apiKey });
  const messages: TranscriptMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.conversation.history.query({
      conversationId: visitor.conversationId,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    messages.push(...page.messages);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return messages;
}

/** Stored visitor messages without their reply, and replies that answer nothing stored. */
async function unansweredOf(url: string, visitors: Visitor[]) {
  let unanswered = 0;
  let stored = 0;
  let strayReplies = 0;
  for (const visitor of visitors) {
    const messages = await transcript(url, visitor);
    const ids = new Set(messages.map((m) => m.id));
    const users = messages.filter((m) => m.role === "user");
    const expected = new Set(users.map((m) => replyMessageId(m.id)));
    stored += users.length;
    unanswered += users.filter((m) => !ids.has(replyMessageId(m.id))).length;
    strayReplies += messages.filter((m) => m.role === "assistant" && !expected.has(m.id)).length;
  }
  return { stored, unanswered, strayReplies };
}

export interface OutageReport {
  /** Every platform process was still running at the end. */
  survived: boolean;
  statuses: Record<number, number>;
  /** Answers of 500 (or other 5xx besides 503) and requests without an answer. */
  failures: number;
  accepted: number;
  stored: number;
  unanswered: number;
  strayReplies: number;
  windowS: number | null;
  /** stderr lines that are not the structured log (e.g. `[ioredis] Unhandled error event`). */
  unstructured: string[];
  logLines: number;
  /** Log lines saying a Redis connection was lost and found again (the processes really used that Redis). */
  redisReconnects: number;
  /** Jobs the worker's redelivery sweep enqueued again (from its log). */
  redelivered: number;
  /** Statuses /healthz and /readyz answered during the run. */
  health: { healthz: number[]; readyz: number[] };
}

function redeliveredIn(log: readonly string[]): number {
  let total = 0;
  for (const line of log) {
    if (!line.includes("redelivery: enqueued")) continue;
    const entry = JSON.parse(line) as { replies?: number };
    total += entry.replies ?? 0;
  }
  return total;
}

export interface OutageServices {
  postgres: PrivatePostgres | null;
  /** One Redis, or (with `redis: "sentinel"`) a primary and replica watched by Sentinels. */
  redis: PrivateRedis | null;
  sentinelRedis: SentinelRedis | null;
}

/**
 * Starts private services and the platform on them, lets `visitors` send steadily, runs `disrupt`,
 * keeps sending a few seconds more, then waits (up to `settleMs`) for every stored message's reply.
 */
export async function runOutage(options: {
  database: "postgres" | "pglite";
  redis?: "single" | "sentinel";
  disrupt: (services: OutageServices) => Promise<void>;
  /** api, worker and realtime as three processes (as in production) instead of one. */
  separateRoles?: boolean;
  visitors?: number;
  env?: Record<string, string>;
  settleMs?: number;
}): Promise<OutageReport> {
  const sentinel = options.redis === "sentinel";
  const services: OutageServices = {
    redis: sentinel ? null : await privateRedis(),
    sentinelRedis: sentinel ? await privateSentinelRedis() : null,
    postgres: options.database === "postgres" ? await privatePostgres() : null,
  };
  const processes: PlatformProcess[] = [];
  try {
    const env = {
      ...(services.redis ? { REDIS_URL: services.redis.url } : {}),
      ...services.sentinelRedis?.env,
      ...(services.postgres ? { DATABASE_URL: services.postgres.url } : {}),
      // Every process of one deployment shares these.
      APP_SECRET: randomBytes(32).toString("hex"),
      REDIS_PREFIX: `out${randomBytes(3).toString("hex")}:`,
      ...options.env,
    };
    const api = await startPlatformProcess({
      ...env,
      ...(options.separateRoles ? { PLATFORM_ROLES: "api" } : {}),
    });
    processes.push(api);
    if (options.separateRoles) {
      // Started after the api, which ran the migrations.
      const others = { ...env, PUBLIC_URL: api.url, MIGRATE_ON_START: "false" };
      processes.push(
        await startPlatformProcess({
          ...others,
          PLATFORM_ROLES: "worker",
          HEALTH_PORT: String(await freePort()),
        }),
        await startPlatformProcess({
          ...others,
          PLATFORM_ROLES: "realtime",
          REALTIME_PORT: String(await freePort()),
        }),
      );
    }
    const { url } = api;
    const visitors = await visitorsOf(url, options.visitors ?? 6);
    const logStarts = processes.map((p) => p.stderr.length);
    const records: SendRecord[] = [];
    const load = sendSteadily(url, visitors, records);
    const probe = probeHealth(url);
    await sleep(2_000);
    await options.disrupt(services);
    await sleep(4_000);
    await load.stop();
    const health = await probe.stop();
    const survived = processes.every((p) => p.child.exitCode === null && p.child.signalCode === null);

    let counts = survived
      ? await unansweredOf(url, visitors)
      : { stored: 0, unanswered: -1, strayReplies: 0 };
    const deadline = Date.now() + (options.settleMs ?? 30_000);
    while (survived && counts.unanswered > 0 && Date.now() < deadline) {
      await sleep(500);
      counts = await unansweredOf(url, visitors);
    }
    const statuses: Record<number, number> = {};
    for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const log = processes.flatMap((p, i) => p.stderr.slice(logStarts[i]));
    return {
      survived,
      statuses,
      failures: records.filter((r) => r.status === 0 || (r.status >= 500 && r.status !== 503)).length,
      accepted: load.accepted.length,
      ...counts,
      windowS: outageWindowS(records),
      unstructured: log.filter((line) => line.trim() !== "" && !line.startsWith("{")),
      logLines: log.length,
      redisReconnects: log.filter((line) => /redis[^"]* reachable again/.test(line)).length,
      redelivered: redeliveredIn(log),
      health,
    };
  } finally {
    for (const p of processes) await p.stop();
    await services.postgres?.stop();
    await services.redis?.stop();
    await services.sentinelRedis?.stop();
  }
}
