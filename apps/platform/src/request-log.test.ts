import { type Logger, silentLogger } from "@avatar-chat/telemetry";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requestLog } from "./request-log";

/** A logger that keeps its lines and lets a test wait for one. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; detail?: Record<string, unknown> }> = [];
  const waiters: Array<{ message: string; resolve: () => void }> = [];
  const write = (level: string) => (detail: Record<string, unknown>, message: string) => {
    lines.push({ level, message, ...(detail ? { detail } : {}) });
    for (const waiter of waiters.filter((w) => w.message === message)) waiter.resolve();
  };
  return {
    lines,
    logger: { ...silentLogger, info: write("info"), warn: write("warn"), error: write("error") } as Logger,
    logged: (message: string) =>
      new Promise<void>((resolve) => {
        if (lines.some((line) => line.message === message)) resolve();
        else waiters.push({ message, resolve });
      }),
  };
}

describe("requestLog", () => {
  function appWith(slowMs: number) {
    const log = recordingLogger();
    let release = () => {};
    const app = new Hono()
      .use("*", requestLog({ logger: log.logger, slowMs }))
      .get("/ok", (c) => c.text("ok"))
      .get("/unavailable", (c) => c.text("down", 503))
      .get("/throws", () => {
        throw new Error("boom");
      })
      .get("/hangs", async (c) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return c.text("late");
      });
    return { app, log, release: () => release() };
  }

  it("logs nothing for a quick successful request", async () => {
    const { app, log } = appWith(60_000);
    expect((await app.request("/ok")).status).toBe(200);
    expect(log.lines).toEqual([]);
  });

  it("logs a 5xx answer and a thrown error as failed requests, with the error", async () => {
    const { app, log } = appWith(60_000);
    expect((await app.request("/unavailable")).status).toBe(503);
    expect((await app.request("/throws")).status).toBe(500);
    expect(log.lines).toMatchObject([
      {
        level: "error",
        message: "request failed",
        detail: { method: "GET", path: "/unavailable", status: 503 },
      },
      {
        level: "error",
        message: "request failed",
        detail: { path: "/throws", status: 500, err: new Error("boom") },
      },
    ]);
  });

  it("reports a hanging request while it still runs, and again with its duration when it ends", async () => {
    const { app, log, release } = appWith(20);
    const response = app.request("/hangs");
    await log.logged("slow request, still running");
    expect(log.lines[0]).toMatchObject({ level: "warn", detail: { path: "/hangs", ms: 20 } });
    release();
    expect((await response).status).toBe(200);
    expect(log.lines[1]).toMatchObject({ level: "warn", message: "slow request", detail: { status: 200 } });
    expect(log.lines[1]!.detail!.ms).toBeGreaterThanOrEqual(20);
  });
});
