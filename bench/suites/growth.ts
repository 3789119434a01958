import { type GrowthRead, measureGrowth, SIZES } from "../../packages/api/bench/growth-bench.ts";
import { type Figures, figure, type Suite } from "../figures.ts";

// Cost that grows with a tenant's data: the dashboard's reads at 10k, 100k and 1M messages of one tenant
// (packages/api/bench/growth-bench.ts). Each figure is the p99 at the largest size, its baseline the p99
// at the smallest: the ratio says how much the read slows as the tenant grows (flat is about 1).

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);

const what: Record<string, { says: string; target: string }> = {
  inbox_first_page: { says: "inbox first page (25 newest conversations)", target: "target < 10 ms, flat" },
  inbox_open_first_page: {
    says: "inbox first page filtered to open conversations",
    target: "target < 10 ms, flat",
  },
  inbox_middle_page: {
    says: "inbox page halfway down the tenant's conversations (keyset cursor)",
    target: "target < 10 ms, flat",
  },
  inbox_search_rare: {
    says: "inbox search for a word in one conversation (an order number)",
    target: "target < 100 ms",
  },
  inbox_search_common: {
    says: "inbox search for a word in about one message in ten",
    target: "target < 100 ms",
  },
  inbox_search_absent: { says: "inbox search for a word in no message", target: "target < 100 ms" },
  history_page: {
    says: "transcript page of the newest conversation (conversation.get)",
    target: "target < 10 ms, flat",
  },
  knowledge_list: {
    says: "knowledge source list, first page of 50 (a hundredth of the messages in sources, keyset-paged)",
    target: "target < 10 ms, flat",
  },
  knowledge_list_middle: {
    says: "knowledge source list, the page of 50 halfway down the sources (keyset cursor)",
    target: "target < 10 ms, flat",
  },
  analytics_overview: {
    says: "analytics overview over 90 days (from the daily roll-up, a year of it stored)",
    target: "target < 10 ms, flat",
  },
};

const suite: Suite = {
  name: "growth",
  measures: ["packages/api", "packages/db", "bench/suites/growth.ts"],
  async run() {
    const result = await measureGrowth();
    const figures: Figures = {};
    const sizes = result.sizes.map(label).join(" / ");
    for (const read of result.reads as GrowthRead[]) {
      const { says, target } = what[read.name]!;
      const p99s = read.p99.map((v) => `${v}`).join(" / ");
      const p50s = read.p50.map((v) => `${v}`).join(" / ");
      figures[`growth.${read.name}.p99_ms`] = figure(
        read.p99.at(-1)!,
        "ms",
        `${says}: p99 at ${label(SIZES.at(-1)!)} messages of one tenant, dashboard session over HTTP, PostgreSQL ${result.serverVersion}; p99 at ${sizes}: ${p99s} ms, p50 ${p50s} ms; baseline the p99 at ${label(SIZES[0]!)}; ${target}`,
        read.p99[0]!,
      );
    }
    figures["growth.load.s"] = figure(
      result.loadSeconds.reduce((a, b) => a + b, 0),
      "s",
      `bulk load of the tenant (generate_series with every index in place, then vacuum analyze), steps to ${sizes}: ${result.loadSeconds.join(" / ")} s; informational`,
    );
    return figures;
  },
};

export default suite;
