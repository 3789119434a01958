// A streamed answer changes the chat state once per token, often many times between two frames, and
// the transcript only needs the newest state once per frame. Painting every change forced a layout per
// token; with a long transcript those bursts cost the avatar whole frames, and its mouth moved late.

/** Runs `run` once, soon; the returned function cancels it. */
export type Schedule = (run: () => void) => () => void;

export interface FrameBatch<T> {
  /** `value` replaces any value still waiting; it is applied at the next scheduled run. */
  push(value: T): void;
  /** Drops the waiting value, if any. */
  cancel(): void;
}

export function createFrameBatch<T>(apply: (value: T) => void, schedule: Schedule): FrameBatch<T> {
  let waiting: { value: T } | null = null;
  let unschedule: (() => void) | null = null;
  return {
    push(value) {
      waiting = { value };
      unschedule ??= schedule(() => {
        unschedule = null;
        const next = waiting;
        waiting = null;
        if (next) apply(next.value);
      });
    },
    cancel() {
      unschedule?.();
      unschedule = null;
      waiting = null;
    },
  };
}

/**
 * The next animation frame; a hidden tab runs no frames, so a timer stands in (browsers slow it to
 * about once a second there, which is enough for a transcript nobody sees).
 */
export const nextFrame: Schedule = (run) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    run();
  };
  const frame = requestAnimationFrame(once);
  const timer = setTimeout(once, 100);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};
