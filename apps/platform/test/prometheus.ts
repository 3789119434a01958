// Debian's `prometheus` for the observability tests: scrapes the given targets every second and answers
// instant queries over its HTTP API.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./private-services";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (expect.poll works only inside a test, not in beforeAll). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export interface Prometheus {
  stop(): Promise<void>;
  /** The instant vector of `query`: each series' labels and value. */
  query(query: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
}

/** Prometheus scraping each job's targets (`host:port`, path /metrics) every second. */
export async function startPrometheus(jobs: Record<string, string[]>): Promise<Prometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "prometheus-"));
  const port = await freePort();
  const scrapeConfigs = Object.entries(jobs).map(
    ([job, targets]) =>
      `  - job_name: ${job}\n    static_configs:\n      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]\n`,
  );
  writeFileSync(
    path.join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n${scrapeConfigs.join("")}`,
  );
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  const api = `http://127.0.0.1:${port}/api/v1`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  await until(
    () =>
      fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.status === 200,
        () => false,
      ),
    "prometheus to be ready",
  ).catch(async (error: unknown) => {
    await stop(); // never leave a Prometheus behind a failed start
    throw error;
  });
  return {
    stop,
    async query(query) {
      const response = await fetch(`${api}/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}
