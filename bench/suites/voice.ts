// The implementations live with the code they measure, where their dependencies resolve: first audio in
// the worker, lip-sync in the widget (Chromium).

import lipsync from "../../packages/widget/bench/lipsync.ts";
import firstAudio from "../../packages/worker/bench/voice.ts";
import type { Figures, Suite } from "../figures.ts";

const suite: Suite = {
  name: "voice",
  measures: [...firstAudio.measures, ...lipsync.measures],
  async run(): Promise<Figures> {
    return { ...(await firstAudio.run()), ...(await lipsync.run()) };
  },
};

export default suite;
