// The alert rules and the Grafana dashboard in deploy/observability: valid for Prometheus (promtool, from
// Debian's prometheus package), and naming only series the platform exports.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const folder = path.join(repoRoot, "deploy/observability");
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

/** Every `avatar_*` series the code registers (histograms also export _bucket, _sum and _count). */
const exported = new Set(
  [read("packages/telemetry/src/metrics.ts"), read("apps/platform/src/process-metrics.ts")]
    .join("\n")
    .match(/avatar_[a-z_]+/g),
);
const referenced = (text: string) =>
  [...new Set(text.match(/avatar_[a-z_]+/g))].map((name) => name.replace(/_(bucket|sum|count)$/, ""));

describe("deploy/observability", () => {
  it("alerts.yml passes promtool check rules", () => {
    const result = spawnSync("promtool", ["check", "rules", path.join(folder, "alerts.yml")], {
      encoding: "utf8",
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("the rules and the dashboard name only series the platform exports", () => {
    const rules = read("deploy/observability/alerts.yml");
    const dashboard = read("deploy/observability/grafana-dashboard.json");
    const panels = (JSON.parse(dashboard) as { panels: Array<{ targets: Array<{ expr: string }> }> }).panels;
    expect(panels.length).toBeGreaterThan(10);
    for (const name of [...referenced(rules), ...referenced(dashboard)])
      expect(exported, name).toContain(name);
    // The signals the alerts must cover.
    for (const name of [
      "avatar_http_request_duration_seconds",
      "avatar_ai_reply_first_token_seconds",
      "avatar_job_wait_seconds",
      "avatar_jobs_stalled_total",
      "avatar_realtime_drops_total",
      "avatar_db_replica_lag_seconds",
    ])
      expect(referenced(rules)).toContain(name);
  });

  it("docs/operations.md names every series the platform exports and every alert rule", () => {
    const operations = read("docs/operations.md");
    for (const name of exported) expect(operations, name).toContain(`\`${name}`);
    const alerts = [...read("deploy/observability/alerts.yml").matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) expect(operations, alert).toContain(`\`${alert}\``);
  });
});
