import { measureSystem } from "./fanout-bench";

const kind = (process.argv[2] ?? "ours") as "ours";
const t = performance.now();
console.log(
  kind,
  await measureSystem(kind, { with10k: process.argv[3] === "10k" }),
  ((performance.now() - t) / 1000).toFixed(1),
  "s",
);
process.exit(0);
