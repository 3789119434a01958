/** A tenant may open one more socket on this node while it holds fewer than `max`. */
export function withinQuota(open: number, max: number): boolean {
  return open < max;
}

/**
 * Open sockets per tenant on this node. `tryOpen` and `close` run synchronously where a socket is accepted and
 * where it closes, so the counts stay exact however connections and disconnections interleave. What other
 * nodes hold comes from the census (tenant-census.ts).
 */
export function createTenantConnections(max: number) {
  const open = new Map<string, number>();
  return {
    /**
     * Counts a socket in, or returns false (and counts nothing) when the tenant is at its quota with the
     * `elsewhere` sockets it holds on other nodes.
     */
    tryOpen(tenantId: string, elsewhere = 0): boolean {
      const count = open.get(tenantId) ?? 0;
      if (!withinQuota(count + elsewhere, max)) return false;
      open.set(tenantId, count + 1);
      return true;
    },
    close(tenantId: string): void {
      const count = open.get(tenantId) ?? 0;
      if (count <= 1) open.delete(tenantId);
      else open.set(tenantId, count - 1);
    },
    count(tenantId: string): number {
      return open.get(tenantId) ?? 0;
    },
    counts(): ReadonlyMap<string, number> {
      return open;
    },
    /** Tenants with at least one open socket. */
    get tenants(): number {
      return open.size;
    },
  };
}
