import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isPublicAddress } from "../ingest/ip-ranges";
import type { ResolvedAddress } from "../ingest/safe-fetch";
import { ProviderError } from "./errors";
import { HOST_ENTRY, type ProviderNetworkPolicy } from "./network-policy";

export { type ProviderNetworkPolicy, privateHostEntrySchema } from "./network-policy";

export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

function normalHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
}

function parseEntry(entry: string): { host: string; port: number | null } | null {
  const match = HOST_ENTRY.exec(entry.trim());
  if (!match) return null;
  return { host: normalHost(match[1]!), port: match[2] ? Number(match[2]) : null };
}

/** May this non-public address be reached for `host:port` (the URL's host as written)? Pure. */
export function privateTargetAllowed(
  policy: ProviderNetworkPolicy,
  target: { host: string; port: number; address: string },
): boolean {
  if (policy.allowPrivateNetwork) return true;
  const host = normalHost(target.host);
  const address = normalHost(target.address);
  return (policy.allowedPrivateHosts ?? []).some((text) => {
    const entry = parseEntry(text);
    return (
      entry !== null &&
      (entry.port === null || entry.port === target.port) &&
      (entry.host === host || entry.host === address)
    );
  });
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const results = await dnsLookup(hostname, { all: true, verbatim: true });
  return results.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
}

/**
 * Resolves a provider URL's host and returns the one address to connect to. Throws a `permanent`
 * ProviderError when any address is non-public and not allowed (a mixed answer is a rebinding trick).
 */
export async function checkProviderTarget(
  url: URL,
  policy: ProviderNetworkPolicy,
  resolve: Resolve = systemResolve,
): Promise<ResolvedAddress> {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ProviderError("permanent", `only http(s) provider URLs are allowed, not ${url.protocol}`);
  const host = normalHost(url.hostname);
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ProviderError("transient", `cannot resolve ${host}: ${reason}`, { cause: error });
    }
  }
  if (addresses.length === 0) throw new ProviderError("transient", `${host} has no address`);
  const blocked = addresses.find(
    (a) => !isPublicAddress(a.address) && !privateTargetAllowed(policy, { host, port, address: a.address }),
  );
  if (blocked) {
    throw new ProviderError(
      "permanent",
      `${host} resolves to a private or reserved address (${blocked.address}), which AI providers may not use here`,
    );
  }
  return addresses[0]!;
}
