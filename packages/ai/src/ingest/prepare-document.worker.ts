// Worker thread of prepare-document.ts: prepares one document and keeps its chunks and vectors.
import { parentPort } from "node:worker_threads";
import { runInBackground } from "@avatar-chat/db/thread";
import { hashEmbedding } from "../embedding/hash-embedding";
import { EMBEDDING_DIMENSIONS } from "../provider/types";
import { chunkRow } from "../retrieval/chunk-row";
import { chunkText, type TextChunk } from "./chunk-text";
import { extractText } from "./extract-text";
import type { PrepareCall, PrepareReply } from "./prepare-document";

const port = parentPort!;
// Extraction, chunking and offline embedding are seconds of CPU for a large file: they yield the core to
// the main thread whenever both want it.
runInBackground();
let received: Uint8Array[] = [];
let chunks: TextChunk[] = [];
let vectors = new Float32Array(0);
const vector = (i: number) => vectors.subarray(i * EMBEDDING_DIMENSIONS, (i + 1) * EMBEDDING_DIMENSIONS);

async function answer(call: PrepareCall): Promise<unknown> {
  switch (call.type) {
    case "bytes":
      received.push(call.piece);
      return undefined;
    case "prepare": {
      const bytes = Buffer.concat(received);
      received = [];
      const { text } = await extractText({ ...call.request, bytes });
      chunks = chunkText(text);
      vectors = new Float32Array(chunks.length * EMBEDDING_DIMENSIONS);
      if (call.request.embedOffline) {
        for (const [i, chunk] of chunks.entries()) vector(i).set(hashEmbedding(chunk.content));
      }
      return chunks.length;
    }
    case "texts":
      return chunks.slice(call.from, call.to).map((chunk) => chunk.content);
    case "embeddings":
      vectors.set(call.vectors, call.from * EMBEDDING_DIMENSIONS);
      return undefined;
    case "rows":
      return chunks.slice(call.from, call.to).map((chunk, k) => chunkRow(chunk, vector(call.from + k)));
  }
}

port.on("message", async ({ id, call }: { id: number; call: PrepareCall }) => {
  let reply: PrepareReply;
  try {
    reply = { id, ok: true, value: await answer(call) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    reply = { id, ok: false, name, message };
  }
  port.postMessage(reply);
});
