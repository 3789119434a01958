import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "./logger";

function capture(level: LogLevel) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ level, service: "test", destination }) };
}

describe("createLogger", () => {
  it("writes an error's message, stack and cause (a plain JSON.stringify writes {})", () => {
    const { lines, logger } = capture("info");
    const cause = new Error("connection refused");
    logger.warn({ err: new Error("delivery failed", { cause }) }, "realtime message failed");
    const err = lines[0]!.err as { message: string; stack: string; cause: { message: string } };
    expect(lines[0]).toMatchObject({ level: "warn", service: "test", msg: "realtime message failed" });
    expect(err.message).toBe("delivery failed");
    expect(err.stack).toContain("logger.test.ts");
    expect(err.cause.message).toBe("connection refused");
  });

  it("honours every level: debug lines appear at debug and not at info", () => {
    const debug = capture("debug");
    debug.logger.debug({ step: 1 }, "detail");
    expect(debug.lines.map((line) => line.level)).toEqual(["debug"]);
    const info = capture("info");
    info.logger.debug("detail");
    info.logger.info("kept");
    const error = capture("error");
    error.logger.warn("dropped");
    expect(info.lines.map((line) => line.msg)).toEqual(["kept"]);
    expect(error.lines).toEqual([]);
  });

  it("redacts credential fields wherever a caller passes them", () => {
    const { lines, logger } = capture("info");
    logger.child({ requestId: "r1" }).info({ token: "s3cret", headers: { authorization: "Bearer k" } }, "x");
    expect(JSON.stringify(lines)).not.toMatch(/s3cret|Bearer k/);
    expect(lines[0]).toMatchObject({ requestId: "r1", token: "[redacted]" });
  });
});
