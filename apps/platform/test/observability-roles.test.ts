// Prometheus scraping the production topology's roles: api, worker and realtime as separate processes from
// the built bundle (`node dist/main.js`, as the image runs it; `pnpm test` builds it first), each serving
// /metrics on its own METRICS_PORT, one scrape job per role (`avatar-chat-<role>`, as the alert rules
// expect). A visitor's conversation crosses all three, and each role's series must come from that role's
// job.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBrowserClient } from "@avatar-chat/api/testing";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { conversationChannel } from "@avatar-chat/protocol";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./private-services";
import { type Prometheus, startPrometheus, until } from "./prometheus";

const appDir = path.resolve(import.meta.dirname, "..");
const site = "https://shop.roles.test";
type Role = "api" | "worker" | "realtime";

interface RoleProcess {
  role: Role;
  /** Where it answers /readyz (and serves, for api and realtime). */
  port: number;
  metricsPort: number;
  child: ChildProcess;
  output: string[];
}

async function startRole(role: Role, port: number, env: Record<string, string>): Promise<RoleProcess> {
  const metricsPort = await freePort();
  const portSetting = { api: "API_PORT", worker: "HEALTH_PORT", realtime: "REALTIME_PORT" }[role];
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...env,
      PLATFORM_ROLES: role,
      [portSetting]: String(port),
      METRICS_PORT: String(metricsPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`${role} exited ${child.exitCode}:\n${output.join("")}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    `${role} to be ready`,
    60_000,
  );
  return { role, port, metricsPort, child, output };
}

async function stopRole(p: RoleProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((resolve) => p.child.once("exit", resolve));
  p.child.kill("SIGTERM");
  await exited;
}

describe("observability of separate role processes", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "observability-roles-"));
  const prefix = `obr${randomBytes(4).toString("hex")}:`;
  let database: TestDatabase;
  let prometheus: Prometheus;
  const processes: RoleProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(appDir, "dist/main.js")))
      throw new Error("apps/platform/dist/main.js is missing: run `pnpm build` first");
    database = await createTestDatabase({ migrate: false });
    const ports = { api: await freePort(), worker: await freePort(), realtime: await freePort() };
    const url = `http://127.0.0.1:${ports.api}`;
    const env = {
      PUBLIC_URL: url,
      DATABASE_URL: database.url as string,
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_PREFIX: prefix,
      APP_SECRET: randomBytes(32).toString("hex"),
      MIGRATE_ON_START: "false",
      DATA_DIR: dataDir,
    };
    execFileSync(process.execPath, ["dist/migrate.js"], { cwd: appDir, env: { ...process.env, ...env } });
    processes.push(
      ...(await Promise.all(
        (["api", "worker", "realtime"] as const).map((role) => startRole(role, ports[role], env)),
      )),
    );
    prometheus = await startPrometheus(
      Object.fromEntries(processes.map((p) => [`avatar-chat-${p.role}`, [`127.0.0.1:${p.metricsPort}`]])),
    );

    // A visitor's conversation: sent to the api, answered by the worker, delivered by realtime.
    const owner = createBrowserClient({ url, origin: url });
    await owner.auth.signUp.mutate({
      email: `owner-${randomUUID()}@example.test`,
      password: "a long enough password",
      name: "Owner",
      workspaceName: "Roles Shop",
    });
    const bot = await owner.chatbot.create.mutate({ name: "Roles", allowedOrigins: [site] });
    await owner.chatbot.publish.mutate({ chatbotId: bot.id });
    const started = await createBrowserClient({ url, origin: site }).widget.start.mutate({
      publicKey: bot.publicKey,
    });
    const visitor = createBrowserClient({ url, origin: site, bearer: started.visitorToken });
    const { conversationId } = await visitor.conversation.start.mutate({});
    const socket = new WebSocket(`ws://127.0.0.1:${ports.realtime}/realtime?token=${started.visitorToken}`);
    const subscribed = new Promise<void>((resolve) =>
      socket.addEventListener("message", (event) => {
        if (String(event.data).includes('"subscribed"')) resolve();
      }),
    );
    const completed = new Promise<void>((resolve) =>
      socket.addEventListener("message", (event) => {
        if (String(event.data).includes('"message.complete"')) resolve();
      }),
    );
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    socket.send(JSON.stringify({ type: "subscribe", channel: conversationChannel(conversationId) }));
    await subscribed;
    await visitor.conversation.send.mutate({
      conversationId,
      content: "What are your opening hours?",
      clientMessageId: randomUUID(),
    });
    await completed;
    socket.close();
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(processes.map(stopRole));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await deleteKeysAt("redis://127.0.0.1:6379", prefix);
  });

  /**
   * Waits until a series of `query` is above zero; every such series must come from `role`'s job and
   * process (the others register the same instruments and leave them at zero).
   */
  async function positiveFrom(role: Role, query: string) {
    const positive = async () => (await prometheus.query(query)).filter((series) => series.value > 0);
    await expect.poll(async () => (await positive()).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const { metricsPort } = processes.find((p) => p.role === role)!;
    for (const { metric } of await positive())
      expect(metric, query).toMatchObject({
        job: `avatar-chat-${role}`,
        instance: `127.0.0.1:${metricsPort}`,
      });
  }

  it("scrapes requests from the api, jobs and first tokens from the worker, sockets from realtime", async () => {
    await positiveFrom(
      "api",
      'avatar_http_request_duration_seconds_count{procedure="conversation.send",status="200"}',
    );
    await positiveFrom("worker", 'avatar_job_run_seconds_count{queue="ai-reply",outcome="completed"}');
    await positiveFrom("worker", 'avatar_job_wait_seconds_count{queue="ai-reply"}');
    await positiveFrom("worker", "avatar_ai_reply_first_token_seconds_count");
    await positiveFrom("worker", 'avatar_ai_tokens_total{direction="out"}');
    await positiveFrom("realtime", "avatar_realtime_deliveries_total");
    // Depth per queue and state, read by the worker (it may be 0 now the work is done).
    const depths = await prometheus.query('avatar_queue_jobs{queue="ai-reply"}');
    expect(depths.map((series) => `${series.metric.job} ${series.metric.state}`).sort()).toEqual([
      "avatar-chat-worker active",
      "avatar-chat-worker delayed",
      "avatar-chat-worker failed",
      "avatar-chat-worker waiting",
    ]);
    expect(await prometheus.query("avatar_realtime_sockets")).toEqual([
      expect.objectContaining({ metric: expect.objectContaining({ job: "avatar-chat-realtime" }) }),
    ]);
    // Every process: dependencies, pools and the event loop.
    for (const role of ["api", "worker", "realtime"] as const) {
      await positiveFrom(role, `avatar_db_round_trip_seconds{job="avatar-chat-${role}"}`);
      await positiveFrom(role, `avatar_redis_round_trip_seconds{job="avatar-chat-${role}"}`);
      await positiveFrom(role, `nodejs_eventloop_lag_p99_seconds{job="avatar-chat-${role}"}`);
      await positiveFrom(
        role,
        `avatar_db_pool_connections{job="avatar-chat-${role}",pool="owner",state="total"}`,
      );
    }
    // Each process's Redis clients by name: ready, and their commands in flight (0 when idle).
    const clients: Record<Role, string[]> = {
      api: ["api", "credential-changes", "queue:ai-reply", "queue:email", "queue:kb-index"],
      worker: ["health", "worker", "worker:ai-reply", "worker:analytics-rollup", "worker:email"],
      realtime: ["credential-changes", "health", "realtime-cmd", "realtime-sub"],
    };
    for (const role of ["api", "worker", "realtime"] as const) {
      const ready = `avatar_redis_client_status{job="avatar-chat-${role}",status="ready"}`;
      await positiveFrom(role, ready);
      const names = (await prometheus.query(ready)).map((series) => series.metric.client).sort();
      expect(names).toEqual(expect.arrayContaining(clients[role]));
      const inFlight = await prometheus.query(`avatar_redis_commands_in_flight{job="avatar-chat-${role}"}`);
      const all = await prometheus.query(`avatar_redis_client_status{job="avatar-chat-${role}"}`);
      expect(inFlight.map((series) => series.metric.client).sort()).toEqual(
        all.map((series) => series.metric.client).sort(),
      );
    }
  });
});
