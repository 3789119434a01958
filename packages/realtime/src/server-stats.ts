/** What a node counts about the sockets it refused or closed, for `stats()` and the metrics. */
export function createServerStats() {
  const counters = {
    slowConsumerCloses: 0,
    rateLimitedCloses: 0,
    heartbeatTimeouts: 0,
    refusedUpgrades: 0,
    expiredCloses: 0,
    quotaCloses: 0,
    connectionLimitCloses: 0,
  };
  /** Sockets this server closed, by close code (what metrics call drops). */
  const closesByCode = new Map<number, number>();
  return {
    counters,
    closesByCode: closesByCode as ReadonlyMap<number, number>,
    countClose(code: number): void {
      closesByCode.set(code, (closesByCode.get(code) ?? 0) + 1);
    },
  };
}

export type ServerStats = ReturnType<typeof createServerStats>;
