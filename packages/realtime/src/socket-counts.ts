/** One more socket may open while fewer than `max` are open. */
export function withinQuota(open: number, max: number): boolean {
  return open < max;
}

/**
 * Open sockets per key (a tenant, a visitor, a client address) on this node. `tryOpen` and `close` run
 * synchronously where a socket is accepted and where it closes, so the counts stay exact however connections
 * and disconnections interleave. What other nodes hold of a tenant comes from the census (tenant-census.ts).
 */
export function createSocketCounts(max: number) {
  const open = new Map<string, number>();
  return {
    /**
     * Counts a socket in, or returns false (and counts nothing) when the key is at `max` with the
     * `elsewhere` sockets it holds on other nodes.
     */
    tryOpen(key: string, elsewhere = 0): boolean {
      const count = open.get(key) ?? 0;
      if (!withinQuota(count + elsewhere, max)) return false;
      open.set(key, count + 1);
      return true;
    },
    close(key: string): void {
      const count = open.get(key) ?? 0;
      if (count <= 1) open.delete(key);
      else open.set(key, count - 1);
    },
    count(key: string): number {
      return open.get(key) ?? 0;
    },
    counts(): ReadonlyMap<string, number> {
      return open;
    },
    /** Keys with at least one open socket. */
    get size(): number {
      return open.size;
    },
  };
}
