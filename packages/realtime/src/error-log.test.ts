import { Writable } from "node:stream";
import { createLogger } from "@avatar-chat/telemetry";
import { expect, it } from "vitest";
import { openSocket, redisForTests, startNode, visitorToken } from "./testing";

const { prefix } = redisForTests();

it("logs a failed upgrade's error with its message and stack (a plain JSON.stringify wrote err: {})", async () => {
  const lines: Array<{ msg?: string; err?: { message?: string; stack?: string } }> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = createLogger({ level: "info", service: "realtime-test", destination });
  const token = visitorToken("v-error", "tenant-error");
  const node = await startNode({
    prefix,
    logger,
    authenticate: async () => {
      throw new Error("session store unreachable");
    },
  });
  await expect(openSocket(`${node.url}?token=${token}`)).rejects.toThrow(/500/);
  await node.realtime.close();
  const failure = lines.find((line) => line.msg === "realtime authenticate failed");
  expect(failure?.err?.message).toBe("session store unreachable");
  expect(failure?.err?.stack).toContain("error-log.test.ts");
  expect(JSON.stringify(lines)).not.toContain(token);
});
