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
