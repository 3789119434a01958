import type { Redis } from "ioredis";

/** One node's entry in a tenant's census hash: `<open sockets> <expiry, ms since epoch>`. */
export function censusEntry(count: number, expiresAt: number): string {
  return `${count} ${expiresAt}`;
}

/** Sockets the other nodes hold for a tenant, from its census hash; lapsed entries (dead nodes) count nothing. */
export function openElsewhere(fields: Record<string, string>, self: string, now: number): number {
  let total = 0;
  for (const node in fields) {
    if (node === self) continue;
    const [count, expiresAt] = fields[node]!.split(" ").map(Number);
    if (count && expiresAt && expiresAt > now) total += count;
  }
  return total;
}

/**
 * What the other nodes of the cluster hold per tenant, so that the per-tenant quota holds across nodes.
 * Each round a node writes its own count of every tenant it serves into that tenant's hash (one field
 * per node, with an expiry, so a node that dies stops counting) and reads the hash back. Admission stays
 * synchronous: a node adds what the others held at the last round to its own exact count, so the quota
 * can be overshot only by what other nodes admit within one round.
 */
export function createTenantCensus(options: {
  redis: Redis;
  prefix: string;
  nodeId: string;
  /** Entries outlive a round by this much: a node missing a few rounds (a Redis blip) still counts. */
  ttlMs: number;
  /** This node's open sockets per tenant. */
  counts: () => ReadonlyMap<string, number>;
}) {
  const { redis, prefix, nodeId, ttlMs } = options;
  const key = (tenantId: string) => `${prefix}rt:tenant-sockets:${tenantId}`;
  let elsewhere = new Map<string, number>();
  // Tenants this node has an entry for: a tenant it stops serving gets its entry removed.
  let reported = new Set<string>();

  return {
    /** Open sockets of the tenant on other nodes, as of the last round. */
    elsewhere: (tenantId: string) => elsewhere.get(tenantId) ?? 0,

    async round(): Promise<void> {
      const now = Date.now();
      const counts = new Map(options.counts()); // as of this round's writes
      const tenants = [...new Set([...counts.keys(), ...reported])];
      if (tenants.length === 0) return;
      const pipeline = redis.pipeline();
      // Reads first, so reply i is tenant i's hash; only the other nodes' fields of it are counted.
      for (const tenantId of tenants) pipeline.hgetall(key(tenantId));
      for (const tenantId of tenants) {
        const count = counts.get(tenantId) ?? 0;
        if (count > 0) {
          pipeline.hset(key(tenantId), nodeId, censusEntry(count, now + ttlMs));
          pipeline.pexpire(key(tenantId), ttlMs);
        } else {
          pipeline.hdel(key(tenantId), nodeId);
        }
      }
      const replies = (await pipeline.exec()) ?? [];
      const next = new Map<string, number>();
      tenants.forEach((tenantId, i) => {
        const [error, fields] = replies[i] ?? [];
        if (error || !fields) return;
        const others = openElsewhere(fields as Record<string, string>, nodeId, now);
        if (others > 0) next.set(tenantId, others);
      });
      elsewhere = next;
      reported = new Set(counts.keys());
    },

    /** Removes this node's entries (graceful shutdown): the others stop counting its sockets at once. */
    async leave(): Promise<void> {
      if (reported.size === 0) return;
      const pipeline = redis.pipeline();
      for (const tenantId of reported) pipeline.hdel(key(tenantId), nodeId);
      await pipeline.exec();
      reported = new Set();
    },
  };
}
