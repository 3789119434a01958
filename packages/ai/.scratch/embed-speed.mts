import { hashEmbedding } from "../src/embedding/hash-embedding.ts";
import { chunkText } from "../src/ingest/chunk-text.ts";
import { documents } from "../src/testing/corpus/index.ts";

const chunks = documents.flatMap((d) => chunkText(d.content));
let t = performance.now();
for (let i = 0; i < 20; i++) for (const c of chunks) hashEmbedding(c.content);
console.log("embed per chunk ms", (performance.now() - t) / (20 * chunks.length), chunks.length);
t = performance.now();
for (let i = 0; i < 20; i++) for (const d of documents) chunkText(d.content);
console.log("chunk per doc ms", (performance.now() - t) / (20 * documents.length));
