// The load generator, in its own process (forked by bench/suites/api.ts): autocannon against one URL,
// optionally rotating bearer tokens per request. Sends { type: "result", ... } over IPC.
import autocannon from "autocannon";

export interface LoadCommand {
  url: string;
  connections: number;
  seconds: number;
  /** Each request carries the next of these as `Authorization: Bearer` (round robin). */
  bearers?: string[];
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
            setupRequest: (request) =>
              bearers.length === 0
                ? request
                : {
                    ...request,
                    headers: {
                      ...request.headers,
                      authorization: `Bearer ${bearers[next++ % bearers.length]}`,
                    },
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

process.on("message", (command: LoadCommand) => {
  run(command).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
