// The load generator, in its own process (forked by bench/suites/api.ts): autocannon against one URL
// (closed loop: each connection sends its next request when the last is answered), or a steady offered
// rate (open loop, below); optionally rotating bearer tokens per request. Sends { type: "result", ... } over IPC.
import http from "node:http";
import autocannon from "autocannon";

export interface LoadCommand {
  url: string;
  connections: number;
  seconds: number;
  /** Each request carries the next of these as `Authorization: Bearer` (round robin). */
  bearers?: string[];
  /** Each request carries the next of these as its `Cookie` header (round robin), with `origin`. */
  cookies?: string[];
  origin?: string;
  /** Requests per second sent on a fixed schedule whatever the answers' pace; absent: closed loop. */
  rate?: number;
}

export interface LoadResult {
  type: "result";
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function run(command: LoadCommand): Promise<LoadResult> {
  const bearers = command.bearers ?? [];
  const cookies = command.cookies ?? [];
  const fixed = command.origin ? { origin: command.origin } : {};
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: command.url,
        connections: command.connections,
        duration: command.seconds,
        requests: [
          {
            method: "GET",
            setupRequest: (request) => {
              const turn = next++;
              return {
                ...request,
                headers: {
                  ...request.headers,
                  ...fixed,
                  ...(bearers.length ? { authorization: `Bearer ${bearers[turn % bearers.length]}` } : {}),
                  ...(cookies.length ? { cookie: cookies[turn % cookies.length]! } : {}),
                },
              };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          type: "result",
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
  });
}

// One agent for the process: the measured run reuses the warm-up's connections, as a steady client would.
let sharedAgent: http.Agent | null = null;

/**
 * Open loop: requests leave on a fixed schedule (about every millisecond, as many as are due) over up to
 * `connections` kept-alive sockets, and each latency counts from its scheduled time, so a slow answer that
 * holds up the next requests is counted against them too (no coordinated omission). autocannon's own rate
 * option sends each second's budget in a burst at the start of the second, which measures the burst.
 */
function runAtRate(command: LoadCommand & { rate: number }): Promise<LoadResult> {
  sharedAgent ??= new http.Agent({ keepAlive: true, maxSockets: command.connections });
  const agent = sharedAgent;
  const bearers = command.bearers ?? [];
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const interval = 1000 / command.rate;
  const start = performance.now();
  const end = start + command.seconds * 1000;
  return new Promise((resolve) => {
    let inFlight = 0;
    let scheduled = start;
    const finish = () => {
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
      resolve({
        type: "result",
        rps: latencies.length / command.seconds,
        p50: at(0.5),
        p99: at(0.99),
        requests: sent,
        non2xx,
        errors,
      });
    };
    const settle = (due: number, ok: boolean) => {
      inFlight--;
      if (ok) latencies.push(performance.now() - due);
      if (scheduled >= end && inFlight === 0) finish();
    };
    const fire = (due: number) => {
      inFlight++;
      sent++;
      const headers =
        bearers.length === 0 ? {} : { authorization: `Bearer ${bearers[sent % bearers.length]}` };
      http
        .get(command.url, { agent, headers }, (response) => {
          if ((response.statusCode ?? 0) >= 300) non2xx++;
          response.resume();
          response.on("end", () => settle(due, true));
        })
        .on("error", () => {
          errors++;
          settle(due, false);
        });
    };
    const tick = () => {
      const now = performance.now();
      while (scheduled <= now && scheduled < end) {
        fire(scheduled);
        scheduled += interval;
      }
      if (scheduled < end) setTimeout(tick, 1);
      else if (inFlight === 0) finish();
    };
    tick();
  });
}

process.on("message", (command: LoadCommand) => {
  (command.rate ? runAtRate({ ...command, rate: command.rate }) : run(command)).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
