import { type Logger, silentLogger } from "@avatar-chat/telemetry";
import { expect, it } from "vitest";
import { warnIfSlow } from "./slow-job";

function recordingLogger() {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  let onWarn = () => {};
  return {
    warnings,
    warned: new Promise<void>((resolve) => {
      onWarn = resolve;
    }),
    logger: {
      ...silentLogger,
      warn(fields: Record<string, unknown>, message: string) {
        warnings.push({ message, fields });
        onWarn();
      },
    } as Logger,
  };
}

it("warns once while a job is still running past the threshold, and returns its result", async () => {
  const log = recordingLogger();
  let finish = (_value: string) => {};
  const result = warnIfSlow(
    log.logger,
    10,
    { queue: "kb-index", id: "j1" },
    () =>
      new Promise<string>((resolve) => {
        finish = resolve;
      }),
  );
  await log.warned;
  expect(log.warnings).toEqual([{ message: "kb-index: job still running", fields: { jobId: "j1", ms: 10 } }]);
  finish("done");
  expect(await result).toBe("done");
  expect(log.warnings).toHaveLength(1);
});

it("says nothing about a job that finishes in time", async () => {
  const log = recordingLogger();
  expect(await warnIfSlow(log.logger, 60_000, { queue: "email", id: "j2" }, async () => 1)).toBe(1);
  expect(log.warnings).toEqual([]);
});
