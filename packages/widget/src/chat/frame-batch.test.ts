import { describe, expect, it } from "vitest";
import { createFrameBatch } from "./frame-batch";

function manualSchedule() {
  const runs: Array<(() => void) | null> = [];
  return {
    schedule: (run: () => void) => {
      const index = runs.push(run) - 1;
      return () => {
        runs[index] = null;
      };
    },
    frame() {
      const due = runs.splice(0);
      for (const run of due) run?.();
    },
    get pending() {
      return runs.filter(Boolean).length;
    },
  };
}

describe("createFrameBatch", () => {
  it("applies only the newest of the values pushed between two frames", () => {
    const clock = manualSchedule();
    const applied: number[] = [];
    const batch = createFrameBatch((n: number) => applied.push(n), clock.schedule);
    for (let n = 1; n <= 30; n++) batch.push(n);
    expect(clock.pending).toBe(1);
    clock.frame();
    expect(applied).toEqual([30]);
    clock.frame();
    expect(applied).toEqual([30]);
  });

  it("schedules again after a frame, and cancel drops what waits", () => {
    const clock = manualSchedule();
    const applied: string[] = [];
    const batch = createFrameBatch((s: string) => applied.push(s), clock.schedule);
    batch.push("a");
    clock.frame();
    batch.push("b");
    batch.cancel();
    clock.frame();
    batch.push("c");
    clock.frame();
    expect(applied).toEqual(["a", "c"]);
  });
});
