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

  it("logs one access line per request, with a request id it echoes", async () => {
    const { app, log } = appWith(60_000);
    const response = await app.request("/widget/x.js");
    expect(response.status).toBe(404);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(log.lines).toMatchObject([
      {
        level: "info",
        message: "request",
        detail: {
          method: "GET",
          path: "/widget/x.js",
          procedure: "/widget",
          status: 404,
          caller: "anonymous",
        },
      },
    ]);
  });

  it("keeps a well-formed incoming X-Request-Id and replaces any other", async () => {
    const { app } = appWith(60_000);
    const kept = await app.request("/ok", { headers: { "x-request-id": "edge-42.a:b" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-42.a:b");
    for (const bad of ["a b", "x".repeat(129), "<script>"]) {
      const replaced = await app.request("/ok", { headers: { "x-request-id": bad } });
      expect(replaced.headers.get("x-request-id")).not.toBe(bad);
    }
  });

  it("logs a 5xx answer and a thrown error as failed requests, with the error", async () => {
    const { app, log } = appWith(60_000);
    expect((await app.request("/unavailable")).status).toBe(503);
    expect((await app.request("/throws")).status).toBe(500);
    expect(log.lines.filter((line) => line.level === "error")).toMatchObject([
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
