/** Steps of synchronous work: the generator yields between steps and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps to the end at once (small inputs, tests, callers that are not on a shared event loop). */
export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs steps in slices of about `sliceMs`, letting the event loop serve everything else between slices:
 * a 25 MB document is minutes of other requests' latency if processed in one go.
 */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = 10): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
