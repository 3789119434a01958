import s from "/work/wt-growth/bench/suites/growth.ts";

const r = await s.run();
for (const [k, f] of Object.entries(r)) console.log(k, f.value, f.baseline, f.note.slice(0, 260));
process.exit(0);
