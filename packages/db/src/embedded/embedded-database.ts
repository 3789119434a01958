import { startThread } from "../thread";
import { lockDirectory } from "./directory-lock";
import { type EmbeddedCall, type EmbeddedReply, type QueryOutcome, restoredError } from "./thread-protocol";

/** PGlite on a thread of its own (pglite.worker.ts): statements go there as messages, rows come back. */
export interface EmbeddedDatabase {
  query(sql: string, params: readonly unknown[]): Promise<QueryOutcome>;
  /** Closes the database (its last checkpoint) and ends the thread. */
  close(): Promise<void>;
}

type Pending = { resolve(outcome: QueryOutcome): void; reject(error: Error): void };
type Call = EmbeddedCall extends infer C ? (C extends EmbeddedCall ? Omit<C, "id"> : never) : never;

/** Opens the embedded database in `dataDir` (`memory://` keeps it in memory) on a new thread. */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const lock = dataDir.includes("://") ? null : lockDirectory(dataDir, "The embedded database");
  const thread = startThread(import.meta.url, "pglite.worker", { workerData: { dataDir } });
  const started = new Promise<void>((resolve, reject) => {
    const exited = (code: number) => reject(new Error(`the embedded database's thread exited with ${code}`));
    thread.once("error", reject);
    thread.once("exit", exited);
    thread.once("message", (reply: EmbeddedReply) => {
      thread.off("error", reject);
      thread.off("exit", exited);
      if ("failed" in reply) {
        void thread.terminate();
        reject(restoredError(reply.failed));
      } else resolve();
    });
  });
  await started.catch((error: unknown) => {
    lock?.release();
    throw error;
  });

  const pending = new Map<number, Pending>();
  let nextId = 0;
  let stopped: Error | undefined;
  // The thread keeps the process alive only while a statement is out, as a socket with a query in flight
  // would: an idle database, like an idle pool, does not hold a process open.
  thread.unref();
  const stop = (error: Error) => {
    stopped ??= error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  thread.on("message", (reply: EmbeddedReply) => {
    if (!("id" in reply)) return;
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if ("error" in reply) call?.reject(restoredError(reply.error));
    else call?.resolve(reply.outcome);
  });
  thread.on("error", stop);
  thread.on("exit", (code) => stop(new Error(`the embedded database's thread exited with ${code}`)));

  const send = (call: Call): Promise<QueryOutcome> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<QueryOutcome>((resolve, reject) => {
      try {
        thread.postMessage({ ...call, id });
      } catch (error) {
        // A parameter that cannot be cloned (a function, say): nothing was sent.
        reject(error as Error);
        return;
      }
      pending.set(id, { resolve, reject });
      thread.ref();
    });
  };

  return {
    query: (sql, params) => send({ type: "query", sql, params }),
    async close() {
      if (stopped) return;
      await send({ type: "close" });
      stop(new Error("the embedded database is closed"));
      await thread.terminate();
      lock?.release();
    },
  };
}
