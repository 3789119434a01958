import { startThread } from "@avatar-chat/db/thread";
import { EMBEDDING_DIMENSIONS } from "../provider/types";
import type { ChunkRow } from "../retrieval/chunk-row";
import { ExtractError, type ExtractInput } from "./extract-text";

/** What the worker thread is asked to prepare (prepare-document.worker.ts), once it has the bytes. */
export interface PrepareRequest extends Omit<ExtractInput, "bytes"> {
  /** Embed with the offline hashing embedder too (CPU work, so it belongs off the event loop). */
  embedOffline: boolean;
}

/** The most bytes one message to the thread carries: copying ~1 MiB takes the event loop milliseconds. */
export const PIECE_BYTES = 1 << 20;

/** The calls the worker answers, one at a time, each with a reply of the same id. */
export type PrepareCall =
  | { type: "bytes"; piece: Uint8Array }
  | { type: "prepare"; request: PrepareRequest }
  | { type: "texts"; from: number; to: number }
  | { type: "embeddings"; from: number; vectors: Float32Array }
  | { type: "rows"; from: number; to: number };
export type PrepareReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string };

/** A document prepared in a worker thread, which holds its chunks and vectors until they are inserted. */
export interface PreparedDocument {
  chunkCount: number;
  /** Chunks [from, to)'s text, for a provider that embeds over the network. */
  texts(from: number, to: number): Promise<string[]>;
  /** Embeddings of chunks from `from` on (a network provider's answers). */
  setEmbeddings(from: number, vectors: readonly (readonly number[])[]): Promise<void>;
  /** Chunks [from, to) as rows to insert, their vectors already written as pgvector text. */
  rows(from: number, to: number): Promise<ChunkRow[]>;
  close(): Promise<void>;
}

/**
 * Extracts, chunks and (offline) embeds a document in a worker thread, which keeps the chunks and their
 * vectors (single precision) and hands them over as insert-ready rows, a batch at a time. Done on the event
 * loop, this CPU work and the heap it left (25,000 chunks of a 25 MB file, and their vectors) stalled every
 * other request of the process for over a second. The document's bytes go to the thread as they arrive,
 * in pieces of at most PIECE_BYTES, and are put together there: one 25 MB message (its structured-clone
 * copy) or one 25 MB Buffer.concat held the event loop 250-330 ms on the bench machine. Rejects with
 * ExtractError for a document that cannot be read, as `extractText` does; `close` ends the thread.
 */
export async function prepareDocument(
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  request: PrepareRequest,
): Promise<PreparedDocument> {
  const worker = startThread(import.meta.url, "prepare-document.worker");
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  const failAll = (error: Error) => {
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: PrepareReply) => {
    const call = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) call?.resolve(reply.value);
    else
      call?.reject(
        reply.name === "ExtractError" ? new ExtractError(reply.message) : new Error(reply.message),
      );
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the indexing worker stopped (exit code ${code})`)));
  const call = <T>(message: PrepareCall, transfer: ArrayBuffer[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, call: message }, transfer);
    });
  const close = async () => {
    worker.removeAllListeners();
    worker.on("error", () => {});
    await worker.terminate();
  };
  try {
    // One piece in flight at a time: the event loop serves others between pieces, and the thread's
    // backlog never holds more than the piece it is copying.
    for await (const chunk of content) {
      for (const piece of pieces(chunk)) await call<void>({ type: "bytes", piece }, [piece.buffer]);
    }
    const chunkCount = await call<number>({ type: "prepare", request });
    return {
      chunkCount,
      texts: (from, to) => call<string[]>({ type: "texts", from, to }),
      setEmbeddings: (from, vectors) =>
        call<void>({ type: "embeddings", from, vectors: packEmbeddings(vectors) }),
      rows: (from, to) => call<ChunkRow[]>({ type: "rows", from, to }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A chunk as copies of at most PIECE_BYTES, each in a buffer of its own that can be transferred: a view
 * would be cloned with its whole underlying buffer (a 25 MB file, or Buffer's shared pool), and the
 * caller's buffer stays as it was.
 */
export function* pieces(chunk: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
  for (let start = 0; start < chunk.byteLength; start += PIECE_BYTES) {
    yield new Uint8Array(chunk.subarray(start, start + PIECE_BYTES));
  }
}

/** Vectors as one Float32Array (pgvector stores single precision anyway). */
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
