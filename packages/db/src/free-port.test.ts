import { readFileSync } from "node:fs";
import net from "node:net";
import { expect, it } from "vitest";
import { freePort } from "./test-servers";

// A port handed to a server that starts later must not be one the kernel gives out meanwhile for
// another listen(0) or an outgoing connection: CI's fleet test lost a role to exactly that.
it("hands out distinct free ports below the kernel's ephemeral range", async () => {
  const ephemeralStart = Number(
    readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0],
  );
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  expect(new Set(ports).size).toBe(20);
  for (const port of ports) {
    expect(port).toBeLessThan(ephemeralStart);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, resolve));
    await new Promise((resolve) => server.close(resolve));
  }
});
