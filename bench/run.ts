import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { machine, type StampedFigure, type Suite } from "./figures.ts";

// `pnpm bench` runs every suite in bench/suites/<name>.ts; `pnpm bench db api` runs the named ones. Every
// figure carries its own time and commit: a partial run replaces the figures of the suites it ran and
// leaves the others exactly as they were measured. RESULTS.md marks a figure stale when the code it
// measures changed after its commit.
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");
const resultsPath = path.join(here, "results.json");
const wanted = process.argv.slice(2);

const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();

// Tests and prose live beside the code a suite measures but do not change what it measures: editing them
// must not mark a figure stale. Pathspec magic, not globs: `*` here also matches `/`, and `*.test.ts` covers
// `*.browser.test.ts`.
const unmeasured = [":(exclude)*.test.ts", ":(exclude)*/test/*", ":(exclude)test/*", ":(exclude)*.md"];
const measuredPaths = (measures: string[]) => [...measures, ...unmeasured];

const files = (await readdir(path.join(here, "suites"))).filter((f) => f.endsWith(".ts")).sort();
const previous: { figures?: Record<string, StampedFigure> } = existsSync(resultsPath)
  ? JSON.parse(readFileSync(resultsPath, "utf8"))
  : {};
const figures: Record<string, StampedFigure> = wanted.length > 0 ? { ...previous.figures } : {};

for (const file of files) {
  // A suite's file is named after it, so filtering happens before anything is imported.
  if (wanted.length > 0 && !wanted.includes(path.basename(file, ".ts"))) continue;
  const suite = (await import(path.join(here, "suites", file))).default as Suite;
  console.log(`bench: ${suite.name} ...`);
  const load = Math.round(os.loadavg()[0]! * 10) / 10;
  const started = performance.now();
  const result = await suite.run();
  const stamp = {
    at: new Date().toISOString(),
    commit: git("rev-parse", "HEAD"),
    dirty: git("status", "--porcelain", "--", ...measuredPaths(suite.measures)) !== "",
    measures: suite.measures,
    load,
  };
  // A suite's figures are replaced as a whole: a figure it no longer returns is gone.
  const prefix = `${suite.name}.`;
  for (const key of Object.keys(figures)) if (key.startsWith(prefix) && !(key in result)) delete figures[key];
  for (const [key, f] of Object.entries(result)) {
    figures[key] = { ...f, ...stamp };
    console.log(`  ${key} = ${f.value} ${f.unit}${f.ratio === null ? "" : ` (ratio ${f.ratio})`}`);
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s, load average ${load} at start)`);
}

const results = { machine: machine(), figures };
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

/** Why a figure no longer describes the code, or null: changes under its paths since its commit. */
function staleness(f: StampedFigure): string | null {
  if (!f.commit || !f.measures) return "stale: measured before figures carried their commit";
  if (f.dirty) return "stale: measured with uncommitted changes";
  let changed: string[];
  try {
    changed = git("diff", "--name-only", f.commit, "HEAD", "--", ...measuredPaths(f.measures))
      .split("\n")
      .filter(Boolean);
  } catch {
    return `stale: commit ${f.commit.slice(0, 7)} is not in this history`;
  }
  return changed.length === 0
    ? null
    : `stale: ${changed.length} files changed since under ${f.measures.join(", ")}`;
}

const cell = (text: string) => text.replaceAll("|", "\\|");
const rows = Object.entries(figures)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([key, f]) => {
    const stale = staleness(f);
    const when =
      f.at && f.commit
        ? `${f.at.slice(0, 16).replace("T", " ")} \`${f.commit.slice(0, 7)}\` (load ${f.load})`
        : "–";
    return `| \`${key}\` | ${f.value} ${f.unit} | ${f.baseline ?? "–"} | ${f.ratio ?? "–"} | ${when}${stale ? ` **${stale}**` : ""} | ${cell(f.note)} |`;
  });
const m = results.machine;
writeFileSync(
  path.join(here, "RESULTS.md"),
  [
    "# Benchmark results",
    "",
    `Machine: ${m.cores} cores, ${m.memory_gib} GiB, Node ${m.node} (${m.cpu}). The machine is shared with other`,
    "agents' test runs: each figure shows the 1-minute load average when its suite started (2 cores: a load of",
    "2 is a busy machine). Absolute figures swing with it; ratios to a baseline measured in the same run hold better.",
    "Written by `pnpm bench`; each figure carries the time (UTC) and commit it was measured on, and is marked",
    "stale when files under the paths it measures changed after that commit (tests, `test/` folders and",
    "Markdown excepted).",
    "",
    "| figure | value | baseline | ratio | measured | note |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n"),
);
console.log(`bench: wrote ${path.relative(process.cwd(), resultsPath)} and RESULTS.md`);
process.exit(0);
