// What the request middleware (request id, access line, metrics, and a server span when tracing is on)
// costs a request, in process: the same trivial route bare, observed with tracing off, and with tracing on
// (spans exported over OTLP/HTTP to a local sink). Rounds alternate so load drifts hit all three alike.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, createMetrics, startTracing } from "@avatar-chat/telemetry";
import { Hono } from "hono";
import { pino } from "pino";
import { type Figures, figure, percentile, type Suite } from "../../../bench/figures";
import { requestLog } from "../src/request-log";

const REQUESTS = 5_000;
const ROUNDS = 3;

function app(observed: boolean) {
  const root = new Hono();
  if (observed) {
    const logger = createLogger({
      level: "info",
      service: "bench",
      destination: pino.destination({ dest: "/dev/null", sync: true }),
    });
    root.use("*", requestLog({ logger, slowMs: 60_000, metrics: createMetrics() }));
  }
  return root.post("/trpc/conversation.send", (c) => c.json({ result: { data: { ok: true } } }));
}

/** Microseconds per request over `REQUESTS` sequential in-process requests. */
async function perRequestUs(target: Hono): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await target.request("/trpc/conversation.send", { method: "POST" });
  return ((performance.now() - started) * 1000) / REQUESTS;
}

const suite: Suite = {
  name: "observability",
  measures: ["apps/platform/src/request-log.ts", "packages/telemetry"],
  async run(): Promise<Figures> {
    const bare = app(false);
    const observed = app(true);
    const sink = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end("{}")));
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const runs = { bare: [] as number[], off: [] as number[], on: [] as number[] };
    try {
      await perRequestUs(bare); // warm-up
      await perRequestUs(observed);
      for (let round = 0; round < ROUNDS; round++) {
        runs.bare.push(await perRequestUs(bare));
        runs.off.push(await perRequestUs(observed));
        const stopTracing = await startTracing("bench-observability");
        runs.on.push(await perRequestUs(observed));
        await stopTracing();
      }
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      sink.close();
    }
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const note = `${REQUESTS} sequential in-process POSTs × ${ROUNDS} alternating rounds, median round`;
    return {
      "observability.request.observed_us": figure(
        median(runs.off),
        "µs",
        `${note}: request id, access line (to /dev/null), metrics, tracing off; baseline: the bare route`,
        median(runs.bare),
      ),
      "observability.request.traced_us": figure(
        median(runs.on),
        "µs",
        `${note}: the same with tracing on (server span, OTLP/HTTP to a local sink); baseline: tracing off`,
        median(runs.off),
      ),
    };
  },
};

export default suite;
