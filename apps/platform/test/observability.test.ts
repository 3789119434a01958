// Metrics, traces and logs of a running all-in-one platform, seen through real components: Debian's
// Prometheus scrapes it, an OTLP/HTTP receiver in the test collects its spans, and its captured log must
// hold the worker's error with message and stack and none of the credentials the test created.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AppRouter } from "@avatar-chat/api";
import { conversationChannel } from "@avatar-chat/protocol";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlatformProcess, startPlatformProcess } from "./outage-scenario";
import { freePort } from "./private-services";
import { type Prometheus, startPrometheus, until } from "./prometheus";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const site = "https://shop.observability.test";

function client(url: string, headers: Record<string, string>) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers })] });
}

/** Signs up over plain HTTP, so the test holds the raw session token (to look for it in the log). */
async function signUp(url: string, workspaceName: string) {
  const response = await fetch(`${url}/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({
      email: `owner-${randomUUID()}@example.test`,
      password: "a long enough password",
      name: "Owner",
      workspaceName,
    }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie()[0]!.split(";")[0]!;
  return { sessionToken: cookie.slice(cookie.indexOf("=") + 1), owner: client(url, { origin: url, cookie }) };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP (JSON) trace receiver: what the platform's exporter sends, flattened to spans. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const payload = JSON.parse(body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const resource of payload.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((r) => server.close(r)) };
}

/** An OpenAI-compatible provider that refuses every key: the worker's reply fails for good (auth). */
async function refusingProvider() {
  const server = createServer((_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

describe("observability of the all-in-one platform", () => {
  let platform: PlatformProcess;
  let prometheus: Prometheus;
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  let provider: Awaited<ReturnType<typeof refusingProvider>>;
  const secrets: Record<string, string> = {};
  let conversationId = "";
  let failedConversationId = "";

  beforeAll(async () => {
    otlp = await otlpReceiver();
    provider = await refusingProvider();
    const metricsPort = await freePort();
    platform = await startPlatformProcess({
      REDIS_PREFIX: `obs${randomBytes(4).toString("hex")}:`,
      LOG_LEVEL: "debug",
      METRICS_PORT: String(metricsPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: "avatar-chat-test",
      AI_ALLOW_PRIVATE_NETWORK: "true",
    });
    prometheus = await startPrometheus({ "avatar-chat": [`127.0.0.1:${metricsPort}`] });
    const { url } = platform;

    // A visitor's conversation on the offline model, watched over a realtime socket.
    const shop = await signUp(url, "Observed Shop");
    secrets.sessionToken = shop.sessionToken;
    const bot = await shop.owner.chatbot.create.mutate({ name: "Observed", allowedOrigins: [site] });
    await shop.owner.chatbot.publish.mutate({ chatbotId: bot.id });
    secrets.apiKey = (await shop.owner.apiKey.create.mutate({ name: "integration", scopes: ["chat"] })).key;
    const started = await client(url, { origin: site }).widget.start.mutate({ publicKey: bot.publicKey });
    secrets.visitorToken = started.visitorToken;
    const visitor = client(url, { origin: site, authorization: `Bearer ${started.visitorToken}` });
    ({ conversationId } = await visitor.conversation.start.mutate({}));
    const socket = new WebSocket(`${url.replace("http", "ws")}/realtime?token=${started.visitorToken}`);
    const completed = new Promise<void>((resolve) =>
      socket.addEventListener("message", (event) => {
        if (String(event.data).includes('"message.complete"')) resolve();
      }),
    );
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    socket.send(JSON.stringify({ type: "subscribe", channel: conversationChannel(conversationId) }));
    await sleep(300);
    const sent = await fetch(`${url}/trpc/conversation.send`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: site,
        authorization: `Bearer ${started.visitorToken}`,
        "x-request-id": "obs-test-send-1",
      },
      body: JSON.stringify({
        conversationId,
        content: "What are your opening hours?",
        clientMessageId: randomUUID(),
      }),
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("x-request-id")).toBe("obs-test-send-1");
    await completed;
    socket.close();

    // A second workspace whose provider refuses its key: the worker gives up on the reply and logs why.
    const failing = await signUp(url, "Failing Shop");
    secrets.secondSessionToken = failing.sessionToken;
    secrets.providerKey = `sk-test-${randomBytes(12).toString("hex")}`;
    await failing.owner.ai.update.mutate({
      provider: "openai",
      baseUrl: provider.url,
      chatModel: "test-chat",
      embeddingModel: "test-embed",
      apiKey: secrets.providerKey,
    });
    const failingBot = await failing.owner.chatbot.create.mutate({ name: "Failing" });
    const key = (await failing.owner.apiKey.create.mutate({ name: "failing", scopes: ["chat"] })).key;
    secrets.secondApiKey = key;
    const integrator = client(url, { origin: url, authorization: `Bearer ${key}` });
    ({ conversationId: failedConversationId } = await integrator.conversation.start.mutate({
      chatbotId: failingBot.id,
    }));
    await integrator.conversation.send.mutate({
      conversationId: failedConversationId,
      content: "Is anyone there?",
      clientMessageId: randomUUID(),
    });
    await until(
      () => platform.stderr.some((line) => line.includes("ai-reply: giving up")),
      "the worker to give up",
    );
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await platform?.stop();
    await otlp?.close();
    await provider?.close();
  });

  it("Prometheus scrapes request, queue, first-token and realtime series with their labels", async () => {
    const positive = async (query: string) => {
      await expect
        .poll(async () => (await prometheus.query(query)).some((series) => series.value > 0), {
          timeout: 20_000,
        })
        .toBe(true);
      return prometheus.query(query);
    };
    const sends = await positive(
      'avatar_http_request_duration_seconds_count{procedure="conversation.send",status="200"}',
    );
    expect(sends[0]!.metric).toMatchObject({ job: "avatar-chat" });
    await positive('avatar_job_run_seconds_count{queue="ai-reply",outcome="completed"}');
    await positive('avatar_job_wait_seconds_count{queue="ai-reply"}');
    await positive("avatar_ai_reply_first_token_seconds_count");
    await positive('avatar_ai_tokens_total{direction="out"}');
    await positive('avatar_ai_provider_errors_total{kind="auth"}');
    await positive("avatar_realtime_deliveries_total");
    expect(await prometheus.query("avatar_realtime_sockets")).toHaveLength(1);
    await positive("avatar_db_round_trip_seconds");
    await positive("avatar_redis_round_trip_seconds");
    await positive("nodejs_eventloop_lag_p99_seconds");
    // The embedded database's one connection, and every role's Redis clients in this one process.
    await positive('avatar_db_pool_connections{pool="embedded",state="total"}');
    expect(await prometheus.query('avatar_db_pool_connections{pool="embedded"}')).toHaveLength(3);
    const ready = await positive('avatar_redis_client_status{status="ready"}');
    expect(ready.map((series) => series.metric.client)).toEqual(
      expect.arrayContaining([
        "api",
        "queue:ai-reply",
        "worker",
        "worker:ai-reply",
        "realtime-sub",
        "realtime-cmd",
      ]),
    );
    expect((await prometheus.query("avatar_redis_commands_in_flight")).length).toBe(
      (await prometheus.query("avatar_redis_client_status")).length,
    );
    // Depth per queue and state exists (it may be 0 now the work is done).
    const depths = await prometheus.query('avatar_queue_jobs{queue="ai-reply"}');
    expect(depths.map((series) => series.metric.state).sort()).toEqual([
      "active",
      "delayed",
      "failed",
      "waiting",
    ]);
  });

  it("writes the worker's failure with message and stack, and no credential the test created", () => {
    const entries = platform.stderr.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    const givingUp = entries.find((entry) => entry.msg === "ai-reply: giving up");
    expect(givingUp.err.message).toMatch(/Incorrect API key|401|key/i);
    expect(givingUp.err.stack).toContain("\n    at ");
    // The send's access line: procedure, status, caller kind and tenant, under the caller's request id.
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: "request",
        requestId: "obs-test-send-1",
        procedure: "conversation.send",
        status: 200,
        caller: "visitor",
        tenantId: expect.any(String),
      }),
    );
    const log = platform.stderr.join("\n");
    for (const [name, secret] of Object.entries(secrets)) expect(log.includes(secret), name).toBe(false);
  });

  it("exports one trace from the send through the job, the retrieval and the provider call to the publish", async () => {
    await platform.stop(); // flushes the spans still batched
    const byName = (name: string) => otlp.spans.filter((span) => span.name === name);
    const send = byName("POST conversation.send")[0];
    expect(send, otlp.spans.map((s) => s.name).join(", ")).toBeDefined();
    const trace = otlp.spans.filter((span) => span.traceId === send!.traceId);
    const one = (name: string) => {
      const found = trace.filter((span) => span.name === name);
      expect(found.map((span) => span.name)).toEqual([name]);
      return found[0]!;
    };
    const job = one("ai-reply process");
    expect(job.parentSpanId).toBe(send!.spanId);
    expect(one("retrieve").parentSpanId).toBe(job.spanId);
    expect(one("provider.stream").parentSpanId).toBe(job.spanId);
    expect(one("realtime.publish").parentSpanId).toBe(job.spanId);
  });
});
