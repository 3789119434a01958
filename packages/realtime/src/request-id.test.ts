import { Writable } from "node:stream";
import { createLogger } from "@avatar-chat/telemetry";
import { expect, it } from "vitest";
import { openSocket, redisForTests, startNode, visitorToken } from "./testing";

const { prefix } = redisForTests();

function capture() {
  const lines: Array<{ msg?: string; requestId?: string }> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", service: "realtime-test", destination }) };
}

it("logs an upgrade's failure under the request id the proxy sent", async () => {
  const { lines, logger } = capture();
  const node = await startNode({
    prefix,
    logger,
    authenticate: async () => {
      throw new Error("session store unreachable");
    },
  });
  const refused = await openSocket(`${node.url}?token=${visitorToken("v-rid", "tenant-rid")}`, {
    "X-Request-Id": "proxy-req-42",
  }).catch((error: Error) => error);
  await node.realtime.close();
  expect(String(refused)).toMatch(/500/);
  const failure = lines.find((line) => line.msg === "realtime authenticate failed");
  expect(failure?.requestId).toBe("proxy-req-42");
});

it("logs a socket's failures under its upgrade's request id, or one made for it", async () => {
  const { lines, logger } = capture();
  const node = await startNode({ prefix, logger, renew: async () => Promise.reject(new Error("db down")) });
  const withId = await openSocket(`${node.url}?token=${visitorToken("v-rid-1", "tenant-rid", "b1", 1)}`, {
    "X-Request-Id": "proxy-req-43",
  });
  const withoutId = await openSocket(`${node.url}?token=${visitorToken("v-rid-2", "tenant-rid", "b1", 1)}`, {
    "X-Request-Id": "not a valid id!",
  });
  // Each token expires within a second or two; the failing renewal is logged once per socket.
  await expect
    .poll(() => lines.filter((line) => line.msg === "realtime credential renewal failed, retrying").length, {
      timeout: 10_000,
    })
    .toBe(2);
  await withId.close();
  await withoutId.close();
  await node.realtime.close();
  const ids = lines
    .filter((line) => line.msg === "realtime credential renewal failed, retrying")
    .map((line) => line.requestId);
  expect(ids).toContain("proxy-req-43");
  const made = ids.find((id) => id !== "proxy-req-43");
  expect(made).toMatch(/^[0-9a-f-]{36}$/);
});
