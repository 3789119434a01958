import type { Redis } from "ioredis";
import type { Principal } from "./access";
import type { RealtimeLimits } from "./limits";
import { createSocketCounts } from "./socket-counts";
import { createSocketLeases } from "./socket-leases";
import { createTenantCensus } from "./tenant-census";

/** How long an upgrade waits for its socket leases before Redis counts as unreachable. */
const leaseWaitMs = 1_000;

export type FullLimit = "tenant" | "visitor" | "address";

export interface AdmissionDeps {
  limits: RealtimeLimits;
  redis: Redis;
  prefix: string;
  nodeId: string;
  onError(error: unknown, context: string): void;
}

/**
 * Whether a socket may open, against its tenant's quota (this node's exact count plus the other nodes' as
 * of the last census), its visitor and its address (this node's counts, and leases in Redis across nodes).
 */
export function createAdmission({ limits, redis, prefix, nodeId, onError }: AdmissionDeps) {
  const tenantConnections = createSocketCounts(limits.maxConnectionsPerTenant);
  const visitorConnections = createSocketCounts(limits.maxConnectionsPerVisitor);
  const addressConnections = createSocketCounts(limits.maxConnectionsPerAddress);
  const census = createTenantCensus({
    redis,
    prefix,
    nodeId,
    ttlMs: 3 * limits.censusMs,
    counts: tenantConnections.counts,
  });
  // Visitor and address limits across the cluster; a node's own counts (above) still hold without Redis.
  const leases = createSocketLeases({ redis, prefix, ttlMs: limits.presenceTtlMs });

  /** What a socket counts against besides its tenant: its visitor, and its address unless it is an API key. */
  function limitKeys(principal: Principal, address: string | null) {
    return {
      visitor: principal.kind === "visitor" ? principal.visitorId : null,
      address: principal.kind === "apiKey" ? null : address,
    };
  }

  /** The cluster-wide limits a socket counts against (its visitor, its address), as lease keys. */
  function leaseLimits(principal: Principal, address: string | null) {
    const { visitor, address: byAddress } = limitKeys(principal, address);
    const found: { name: "visitor" | "address"; limit: { key: string; max: number } }[] = [];
    if (visitor)
      found.push({
        name: "visitor",
        limit: { key: `visitor:${visitor}`, max: limits.maxConnectionsPerVisitor },
      });
    if (byAddress)
      found.push({
        name: "address",
        limit: { key: `address:${byAddress}`, max: limits.maxConnectionsPerAddress },
      });
    return found;
  }

  function leaseKeys(principal: Principal, address: string | null): string[] {
    return leaseLimits(principal, address).map((l) => l.limit.key);
  }

  return {
    census,
    leases,
    leaseKeys,
    /** Sockets the tenant holds open on this node. */
    tenantCount: (tenantId: string) => tenantConnections.count(tenantId),
    /** Open sockets per tenant on this node. */
    tenantCounts: () => tenantConnections.counts(),
    get tenants() {
      return tenantConnections.size;
    },

    /**
     * Takes the socket's leases on every node's count of its visitor and address, or says which is full.
     * Without an answer from Redis within a second the socket is let through: this node's own counts hold.
     */
    async takeLeases(
      socketId: string,
      principal: Principal,
      address: string | null,
    ): Promise<"visitor" | "address" | null> {
      const found = leaseLimits(principal, address);
      let timer: NodeJS.Timeout | undefined;
      try {
        const full = await Promise.race([
          leases.acquire(
            socketId,
            found.map((f) => f.limit),
          ),
          new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), leaseWaitMs);
          }),
        ]);
        return full === null ? null : found[full]!.name;
      } catch (error) {
        onError(error, "leases");
        return null;
      } finally {
        clearTimeout(timer);
      }
    },

    /** Gives the socket's leases back (it was refused or has closed); a failure only logs: they lapse anyway. */
    releaseLeases(socketId: string, principal: Principal, address: string | null): Promise<void> {
      return leases
        .release(socketId, leaseKeys(principal, address))
        .catch((error: unknown) => onError(error, "leases"));
    },

    /**
     * Counts the socket in against its tenant, visitor and address, or counts nothing and says which is full.
     * Synchronous with the accept (and counted out in 'close'), so churn cannot skew the counts.
     */
    admit(principal: Principal, address: string | null): FullLimit | null {
      if (!tenantConnections.tryOpen(principal.tenantId, census.elsewhere(principal.tenantId)))
        return "tenant";
      const keys = limitKeys(principal, address);
      if (keys.visitor && !visitorConnections.tryOpen(keys.visitor)) {
        tenantConnections.close(principal.tenantId);
        return "visitor";
      }
      if (keys.address && !addressConnections.tryOpen(keys.address)) {
        tenantConnections.close(principal.tenantId);
        if (keys.visitor) visitorConnections.close(keys.visitor);
        return "address";
      }
      return null;
    },

    /** Counts a closed socket out of this node's counts. */
    countOut(principal: Principal, address: string | null): void {
      tenantConnections.close(principal.tenantId);
      const { visitor, address: byAddress } = limitKeys(principal, address);
      if (visitor) visitorConnections.close(visitor);
      if (byAddress) addressConnections.close(byAddress);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
