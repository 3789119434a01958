import { initTRPC } from "@trpc/server";
import * as core from "@trpc/server/unstable-core-do-not-import";
import { describe, expect, it } from "vitest";

// Canaries for the tRPC internals trpc-query.ts relies on (@trpc/* are pinned exactly in
// pnpm-workspace.yaml's catalog). Each failure names the internal an upgrade changed.
describe("tRPC internals trpc-query.ts relies on", () => {
  const t = initTRPC.create();
  const router = t.router({ hello: t.procedure.query(() => "hi") });

  it("unstable-core-do-not-import still exports the functions it calls", () => {
    for (const name of [
      "callProcedure",
      "getErrorShape",
      "getHTTPStatusCodeFromError",
      "getProcedureAtPath",
      "getTRPCErrorFromUnknown",
      "transformTRPCResponse",
    ]) {
      expect(
        typeof (core as Record<string, unknown>)[name],
        `tRPC internal changed: unstable-core ${name}`,
      ).toBe("function");
    }
  });

  it("router._def._config carries the transformer", () => {
    const config = (router as { _def?: { _config?: { transformer?: { output?: { serialize?: unknown } } } } })
      ._def?._config;
    expect(typeof config?.transformer?.output?.serialize, "tRPC internal changed: router._def._config").toBe(
      "function",
    );
  });

  it("getProcedureAtPath finds a query by its path, and callProcedure runs it", async () => {
    const procedure = await core.getProcedureAtPath(router, "hello");
    expect(procedure?._def.type, "tRPC internal changed: getProcedureAtPath or procedure._def.type").toBe(
      "query",
    );
    const data = await core.callProcedure({
      router,
      path: "hello",
      getRawInput: async () => undefined,
      ctx: {},
      type: "query",
      signal: undefined,
      batchIndex: 0,
    });
    expect(data, "tRPC internal changed: callProcedure's arguments or result").toBe("hi");
  });
});
