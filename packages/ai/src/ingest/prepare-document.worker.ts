// Worker thread of prepare-document.ts: extract, chunk and (offline) embed one document, batch by batch.
import { parentPort } from "node:worker_threads";
import { hashEmbedding } from "../embedding/hash-embedding";
import { type TextChunk, textChunks } from "./chunk-text";
import { extractText } from "./extract-text";
import { type PrepareMessage, type PrepareRequest, packEmbeddings } from "./prepare-document";

const port = parentPort!;

port.once("message", async (request: PrepareRequest) => {
  const send = (message: PrepareMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    const { text } = await extractText(request);
    let chunks: TextChunk[] = [];
    const flush = () => {
      const embeddings = request.embedOffline
        ? packEmbeddings(chunks.map((chunk) => hashEmbedding(chunk.content)))
        : null;
      send({ type: "batch", batch: { chunks, embeddings } }, embeddings ? [embeddings.buffer] : []);
      chunks = [];
    };
    for (const chunk of textChunks(text)) {
      chunks.push(chunk);
      if (chunks.length === request.batchSize) flush();
    }
    if (chunks.length > 0) flush();
    send({ type: "done" });
  } catch (error) {
    send({
      type: "error",
      name: error instanceof Error ? error.name : "Error",
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
