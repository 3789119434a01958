// Figures in docs come from bench/results.json or not at all: a page names the figure's key (as
// `voice.first_audio_ms` in bench/RESULTS.md) instead of copying its value, which goes stale with the next run.
// The rule is kept simple: a statistic followed directly by a number ("p99 10.7 ms", "median 27 ms",
// "recall@10 0.998") or a load average with a number ("at load 37") is a measured result typed by hand.
// Targets and limits are written with a comparison ("p99 < 25 ms", "p95 above 5 s") and pass.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const pages = [
  "README.md",
  ...readdirSync(path.join(repoRoot, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file}`),
];

const measuredLooking = [
  /\b(?:p50|p95|p99|median|recall@\d+)\b\s*[≈~]?\s*\d/gi,
  /\b(?:load average|at load)\s*[≈~]?\s*\d/gi,
];

/** Each hand-typed measured figure in `text`, with the words around it (line breaks read as spaces). */
function handTypedFigures(text: string): string[] {
  const flat = text.replace(/\s+/g, " ");
  return measuredLooking.flatMap((pattern) =>
    [...flat.matchAll(pattern)].map((m) => flat.slice(Math.max(0, m.index - 40), m.index + 40)),
  );
}

describe("figures in docs", () => {
  it("finds the kinds of hand-typed figure it is meant to find, and lets targets through", () => {
    expect(handTypedFigures("p99 10.7 ms at load 37")).toHaveLength(2);
    expect(handTypedFigures("the median 27 ms\nrecall@10 0.998, load average\n~15")).toHaveLength(3);
    expect(handTypedFigures("Targets: p99 < 25 ms; `vector.search_100k.p99_ms` in bench/RESULTS.md")).toEqual(
      [],
    );
  });

  it.each(pages)("%s names results keys instead of copying measured figures", (page) => {
    expect(handTypedFigures(readFileSync(path.join(repoRoot, page), "utf8"))).toEqual([]);
  });
});
