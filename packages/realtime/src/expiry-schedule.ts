/**
 * Items due at a unix second (credential expiry of sockets). One Map of per-second Sets and one 1 s timer,
 * running only while something is scheduled: a timer per socket would cost memory on every idle connection.
 * Items fire at most about a second late.
 */
export function createExpirySchedule<T>(onDue: (item: T) => void, now: () => number = Date.now) {
  const due = new Map<number, Set<T>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let size = 0;

  function sweep(): void {
    const current = Math.floor(now() / 1000);
    // Few distinct seconds (at most one per second of the longest credential lifetime): a full scan is cheap.
    for (const [second, items] of due) {
      if (second > current) continue;
      due.delete(second);
      size -= items.size;
      for (const item of items) onDue(item);
    }
    if (due.size === 0) stop();
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    /** `item` becomes due once the clock reaches `second` (unix seconds); an earlier second fires at the next sweep. */
    add(item: T, second: number): void {
      let items = due.get(second);
      if (!items) {
        items = new Set();
        due.set(second, items);
      }
      if (items.has(item)) return;
      items.add(item);
      size++;
      if (!timer) {
        timer = setInterval(sweep, 1000);
        timer.unref();
      }
    },
    delete(item: T, second: number): void {
      const items = due.get(second);
      if (!items?.delete(item)) return;
      size--;
      if (items.size === 0) due.delete(second);
      if (due.size === 0) stop();
    },
    get size(): number {
      return size;
    },
    close: stop,
  };
}
