import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { type Figures, machine, type Suite } from "./figures.ts";

// `pnpm bench` runs every suite in bench/suites/<name>.ts; `pnpm bench db api` runs the named ones and keeps
// the other figures from the last full run, so results.json always holds the whole picture.
const here = path.dirname(new URL(import.meta.url).pathname);
const resultsPath = path.join(here, "results.json");
const wanted = process.argv.slice(2);

const files = (await readdir(path.join(here, "suites"))).filter((f) => f.endsWith(".ts")).sort();
const previous: { figures?: Figures } = existsSync(resultsPath)
  ? JSON.parse(readFileSync(resultsPath, "utf8"))
  : {};
const figures: Figures = wanted.length > 0 ? { ...previous.figures } : {};

for (const file of files) {
  // A suite's file is named after it, so filtering happens before anything is imported.
  if (wanted.length > 0 && !wanted.includes(path.basename(file, ".ts"))) continue;
  const suite = (await import(path.join(here, "suites", file))).default as Suite;
  console.log(`bench: ${suite.name} ...`);
  const started = performance.now();
  const result = await suite.run();
  Object.assign(figures, result);
  for (const [key, f] of Object.entries(result)) {
    console.log(`  ${key} = ${f.value} ${f.unit}${f.ratio === null ? "" : ` (ratio ${f.ratio})`}`);
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const results = { at: new Date().toISOString(), machine: machine(), figures };
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

const rows = Object.entries(figures)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(
    ([key, f]) =>
      `| \`${key}\` | ${f.value} ${f.unit} | ${f.baseline ?? "–"} | ${f.ratio ?? "–"} | ${f.note.replaceAll("|", "\\|")} |`,
  );
const m = results.machine;
writeFileSync(
  path.join(here, "RESULTS.md"),
  [
    "# Benchmark results",
    "",
    `Measured ${results.at} on ${m.cores} cores, ${m.memory_gib} GiB, Node ${m.node} (${m.cpu}).`,
    "Written by `pnpm bench`; a baseline is always measured in the same run as the figure it is compared with.",
    "",
    "| figure | value | baseline | ratio | note |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n"),
);
console.log(`bench: wrote ${path.relative(process.cwd(), resultsPath)} and RESULTS.md`);
process.exit(0);
