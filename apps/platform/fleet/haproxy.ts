import { readFileSync } from "node:fs";
import path from "node:path";

const template = path.resolve(import.meta.dirname, "../../../deploy/haproxy.cfg");

/**
 * deploy/haproxy.cfg for processes on this machine: the same frontend, backends, checks and timeouts, bound
 * to `port`, with the given servers instead of the compose file's DNS-discovered ones.
 */
export function haproxyConfig(options: { port: number; api: number[]; realtime: number[] }): string {
  const servers = (role: "api" | "realtime", ports: number[]) =>
    ports.map((port, i) => `  server ${role}${i + 1} 127.0.0.1:${port} check`).join("\n");
  const config = readFileSync(template, "utf8")
    .replace(/^resolvers docker\n(?: .*\n)+/m, "")
    .replace(/^ {2}bind :3000$/m, `  bind 127.0.0.1:${options.port}`)
    // A test machine's file limit is lower than a balancer host's; a few thousand connections are plenty.
    .replace(/^ {2}maxconn \d+$/m, "  maxconn 4000")
    .replace(/^ {2}server-template api .*$/m, servers("api", options.api))
    .replace(/^ {2}server-template realtime .*$/m, servers("realtime", options.realtime));
  if (/server-template|resolvers|bind :3000/.test(config))
    throw new Error("deploy/haproxy.cfg changed shape: update apps/platform/fleet/haproxy.ts");
  return config;
}
