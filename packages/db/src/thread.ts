import { readlinkSync } from "node:fs";
import os from "node:os";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts the worker thread `name` that lives beside the module at `base` (its `import.meta.url`).
 * Compiled (the production bundle), it is `<name>.js` beside the bundle. From source, it runs the
 * package's TypeScript like the rest of the process, through tsx's loader (the workspace root's dev
 * dependency) registered in the thread itself: a parent's `--import tsx` does not carry over to a thread.
 */
export function startThread(base: string, name: string, options: WorkerOptions = {}): Worker {
  if (base.endsWith(".js")) return new Worker(new URL(`./${name}.js`, base), options);
  const entry = new URL(`./${name}.ts`, base).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/** The nice value background threads run at: the main thread (nice 0) gets about nine tenths of a shared core. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's CPU priority, so that when it competes with the main thread for a core the
 * main thread, which answers requests, health checks and sockets, wins: a CPU-bound thread at the same
 * priority takes half a core's time slices, and the event loop waits out each of its turns. On Linux a
 * thread's nice value is its own (setpriority on its thread id); where `/proc/thread-self` is missing it
 * does nothing. Returns the nice value now in effect, or null.
 */
export function runInBackground(nice = BACKGROUND_NICE): number | null {
  try {
    const threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
    os.setPriority(threadId, nice);
    return os.getPriority(threadId);
  } catch {
    return null;
  }
}
