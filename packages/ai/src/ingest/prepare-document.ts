import { Worker } from "node:worker_threads";
import { EMBEDDING_DIMENSIONS } from "../provider/types";
import type { TextChunk } from "./chunk-text";
import { ExtractError, type ExtractInput } from "./extract-text";

/** Chunks of one document, in order, with their embeddings when the worker made them (offline provider). */
export interface PreparedBatch {
  chunks: TextChunk[];
  /** `chunks.length` vectors of EMBEDDING_DIMENSIONS, one after another; null when the caller embeds. */
  embeddings: Float32Array | null;
}

/** What the worker thread is asked to do and what it answers (prepare-document.worker.ts). */
export interface PrepareRequest extends ExtractInput {
  /** Embed with the offline hashing embedder too (CPU work, so it belongs off the event loop). */
  embedOffline: boolean;
  batchSize: number;
}
export type PrepareMessage =
  | { type: "batch"; batch: PreparedBatch }
  | { type: "done" }
  | { type: "error"; name: string; message: string };

/**
 * Extracts, chunks and (offline) embeds a document in a worker thread and hands the chunks over in batches
 * of `batchSize`, in order. All of it is synchronous CPU work on up to 25 MB of text: on the event loop,
 * it and the garbage it leaves stalled every other request of the process for up to a second.
 * Rejects with ExtractError for a document that cannot be read, as `extractText` does.
 */
export async function* prepareDocument(request: PrepareRequest): AsyncGenerator<PreparedBatch> {
  const worker = startWorker();
  const inbox: PrepareMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const arrived = () => {
    wake?.();
    wake = null;
  };
  worker.on("message", (message: PrepareMessage) => {
    inbox.push(message);
    arrived();
  });
  worker.on("error", (error) => {
    failure = error;
    arrived();
  });
  worker.on("exit", (code) => {
    failure ??= new Error(`the indexing worker stopped (exit code ${code})`);
    arrived();
  });
  try {
    // Copied, not transferred: the bytes may share a buffer with others (Buffer's pool, a caller's cache).
    worker.postMessage(request);
    for (;;) {
      const message = inbox.shift();
      if (!message) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (message.type === "done") return;
      if (message.type === "error") {
        throw message.name === "ExtractError"
          ? new ExtractError(message.message)
          : new Error(message.message);
      }
      yield message.batch;
    }
  } finally {
    worker.removeAllListeners();
    worker.on("error", () => {});
    await worker.terminate();
  }
}

/** The embeddings of a batch as one Float32Array (pgvector stores single precision anyway). */
export function packEmbeddings(vectors: readonly (readonly number[])[]): Float32Array<ArrayBuffer> {
  const packed = new Float32Array(vectors.length * EMBEDDING_DIMENSIONS);
  vectors.forEach((vector, i) => {
    if (vector.length !== EMBEDDING_DIMENSIONS) {
      throw new Error(`embedding ${i} has ${vector.length} dimensions, expected ${EMBEDDING_DIMENSIONS}`);
    }
    packed.set(vector, i * EMBEDDING_DIMENSIONS);
  });
  return packed;
}

/**
 * Compiled (the production bundle), the worker is dist/prepare-document.worker.js beside the bundle.
 * From source, it runs this package's TypeScript like the rest of the process, through tsx's loader (the
 * workspace root's dev dependency) registered in the worker itself: a parent's `--import tsx` does not
 * carry over to a worker.
 */
function startWorker(): Worker {
  if (import.meta.url.endsWith(".js"))
    return new Worker(new URL("./prepare-document.worker.js", import.meta.url));
  const entry = new URL("./prepare-document.worker.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}
