import { BlockList, isIPv4, isIPv6 } from "node:net";

// Ranges a fetched URL may never reach: anything not globally routable, where internal services live.
const BLOCKED_V4: readonly [string, number][] = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const BLOCKED_V6: readonly [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["::ffff:0:0", 96], // IPv4-mapped: would reach any IPv4 address, private ones included
  ["::", 96], // IPv4-compatible (deprecated)
  ["64:ff9b::", 96], // NAT64
  ["64:ff9b:1::", 48], // local NAT64
  ["100::", 64], // discard
  ["2001::", 32], // Teredo
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4 (embeds an IPv4 address)
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

// Node's BlockList parses every text form (compressed IPv6, embedded IPv4) and matches prefixes. One list
// per family: a list holding IPv6 rules matches an IPv4 address against them as ::ffff:a.b.c.d, which
// the IPv4-mapped rule would refuse.
const blockedV4 = new BlockList();
for (const [base, prefix] of BLOCKED_V4) blockedV4.addSubnet(base, prefix, "ipv4");
const blockedV6 = new BlockList();
for (const [base, prefix] of BLOCKED_V6) blockedV6.addSubnet(base, prefix, "ipv6");

/** True only for a syntactically valid, globally routable unicast address. Pure; no DNS. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").split("%")[0]!;
  if (isIPv4(ip)) return !blockedV4.check(ip, "ipv4");
  if (isIPv6(ip)) return !blockedV6.check(ip, "ipv6");
  return false;
}
