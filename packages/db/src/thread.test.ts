import { readlinkSync } from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BACKGROUND_NICE } from "./thread";

describe("runInBackground", () => {
  it.runIf(process.platform === "linux")(
    "lowers the calling thread's priority and not the process's",
    async () => {
      const thread = new Worker(
        `const { parentPort } = require("node:worker_threads");
       import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
         .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./thread.ts", import.meta.url).href)}); })
         .then(({ runInBackground }) => parentPort.postMessage(runInBackground()));`,
        { eval: true },
      );
      const nice = await new Promise((resolve, reject) => {
        thread.once("message", resolve);
        thread.once("error", reject);
      });
      await thread.terminate();
      expect(nice).toBe(BACKGROUND_NICE);
      const mainThread = Number(readlinkSync("/proc/thread-self").split("/").pop());
      expect(os.getPriority(mainThread)).toBe(os.getPriority(0));
      expect(os.getPriority(0)).toBeLessThan(BACKGROUND_NICE);
    },
  );
});
