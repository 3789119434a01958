import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

// Seconds; a first token or a job wait spans milliseconds to minutes.
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Every instrument the platform records, in one registry per process (the all-in-one process registers
 * every role's; a one-role process leaves the others at zero). Labels are bounded sets: procedure names,
 * queue names, outcomes, close codes, and at most `topTenants` tenant ids.
 */
export function createMetrics() {
  const registry = new Registry();
  // Event-loop lag, GC, heap, handles, CPU: prom-client's standard process metrics.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    http: {
      requests: new Histogram({
        name: "avatar_http_request_duration_seconds",
        help: "HTTP requests by tRPC procedure (or route) and status",
        labelNames: ["procedure", "status"] as const,
        buckets: latencyBuckets,
        registers,
      }),
    },
    jobs: {
      wait: new Histogram({
        name: "avatar_job_wait_seconds",
        help: "Time a job waited in its queue before an attempt started",
        labelNames: ["queue"] as const,
        buckets: latencyBuckets,
        registers,
      }),
      run: new Histogram({
        name: "avatar_job_run_seconds",
        help: "Job attempts by queue and outcome (completed, failed)",
        labelNames: ["queue", "outcome"] as const,
        buckets: latencyBuckets,
        registers,
      }),
      stalled: new Counter({
        name: "avatar_jobs_stalled_total",
        help: "Jobs whose lock expired (the worker was blocked or died) and were handed to another attempt",
        labelNames: ["queue"] as const,
        registers,
      }),
    },
    ai: {
      firstToken: new Histogram({
        name: "avatar_ai_reply_first_token_seconds",
        help: "From the start of a reply attempt to its first streamed token",
        buckets: latencyBuckets,
        registers,
      }),
      total: new Histogram({
        name: "avatar_ai_reply_seconds",
        help: "Whole reply attempts that stored an answer, by outcome (complete, stopped)",
        labelNames: ["outcome"] as const,
        buckets: latencyBuckets,
        registers,
      }),
      tokens: new Counter({
        name: "avatar_ai_tokens_total",
        help: "Model tokens of stored replies, in (prompt) and out (completion)",
        labelNames: ["direction"] as const,
        registers,
      }),
      providerErrors: new Counter({
        name: "avatar_ai_provider_errors_total",
        help: "Failed reply attempts by provider error kind (timeout for our own budget)",
        labelNames: ["kind"] as const,
        registers,
      }),
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A Redis client as the client gauges read it, under a name from a fixed set ("api", "realtime-sub",
 * "worker:ai-reply", …): its ioredis status, and the commands sent on it still awaiting their reply.
 */
export interface NamedRedisClient {
  client: string;
  redis: { status: string; commandQueue?: { length: number } };
}

/** One sample of a gauge read at scrape time. */
export interface Sample {
  labels?: Record<string, string | number>;
  value: number;
}

/**
 * A gauge whose samples are read when Prometheus scrapes (queue depths, pool usage, open sockets); a
 * failed read leaves the gauge empty for that scrape rather than failing the whole scrape.
 */
export function gaugeFromScrape(
  metrics: Metrics,
  options: { name: string; help: string; labelNames?: readonly string[] },
  read: () => Sample[] | Promise<Sample[]>,
): void {
  new Gauge({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const samples = await Promise.resolve()
        .then(read)
        .catch(() => []);
      for (const { labels, value } of samples) this.set(labels ?? {}, value);
    },
  });
}

/**
 * A counter mirroring a running total another module keeps (realtime's stats): at each scrape it moves by
 * what the total grew since the last one.
 */
export function counterFromScrape(
  metrics: Metrics,
  options: { name: string; help: string; labelNames?: readonly string[] },
  read: () => Sample[],
): void {
  const last = new Map<string, number>();
  new Counter({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [metrics.registry],
    collect() {
      for (const { labels, value } of read()) {
        const key = JSON.stringify(labels ?? {});
        const grown = value - (last.get(key) ?? 0);
        last.set(key, value);
        if (grown > 0) this.inc(labels ?? {}, grown);
        else if (grown === 0) this.inc(labels ?? {}, 0);
      }
    },
  });
}

/** The `top` largest entries of `counts` (a bounded label set however many tenants there are). */
export function topEntries(counts: ReadonlyMap<string, number>, top: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
}
