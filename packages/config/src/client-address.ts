import { BlockList, isIP } from "node:net";

/** The client's address from the socket's peer and the `X-Forwarded-For` header it sent. */
export type ClientAddressOf = (
  peer: string | null | undefined,
  forwardedFor: string | null | undefined,
) => string | null;

/** `::ffff:10.0.0.1` (how a dual-stack socket reports IPv4 peers) as `10.0.0.1`. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Whether `entry` is an IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrBlock(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * Resolves the client's address behind the proxies listed in `trusted` (addresses or CIDR blocks). Starting
 * from the socket's peer, each trusted hop hands over to the address it appended last to
 * `X-Forwarded-For`; the first hop that is not trusted is the client. So a client cannot pick its address
 * by sending the header itself, and with no trusted proxies the header is ignored altogether.
 */
export function clientAddressResolver(trusted: readonly string[]): ClientAddressOf {
  if (trusted.length === 0) return (peer) => (peer ? plainAddress(peer) : null);
  const proxies = new BlockList();
  for (const entry of trusted) {
    if (!isAddressOrBlock(entry)) throw new Error(`"${entry}" is neither an IP address nor a CIDR block`);
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) proxies.addAddress(address, type);
    else proxies.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && proxies.check(address, family === 4 ? "ipv4" : "ipv6");
  };
  return (peer, forwardedFor) => {
    if (!peer) return null;
    let client = plainAddress(peer);
    const hops = (forwardedFor ?? "")
      .split(",")
      .map((hop) => plainAddress(hop.trim()))
      .filter(Boolean);
    while (isTrusted(client) && hops.length > 0) {
      const next = hops.pop() as string;
      // A malformed entry ends the walk at the last hop that was trustworthy.
      if (isIP(next) === 0) break;
      client = next;
    }
    return client;
  };
}
