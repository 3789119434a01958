import type { Tx } from "@avatar-chat/db";
import type { Provider } from "../provider/types";
import { chunkRow } from "../retrieval/chunk-row";
import { replaceSourceChunks } from "../retrieval/chunks";
import { type ChunkOptions, chunkText } from "./chunk-text";

export interface IndexTextInput {
  tenantId: string;
  chatbotId: string;
  sourceId: string;
  /** Extracted text (extractText's output). */
  text: string;
  chunking?: ChunkOptions;
}

/** Chunks, embeds and stores one source's text, replacing its previous chunks. Returns the chunk count. */
export async function indexSourceText(tx: Tx, provider: Provider, input: IndexTextInput): Promise<number> {
  const chunks = chunkText(input.text, input.chunking);
  const embeddings = chunks.length > 0 ? await provider.embed(chunks.map((c) => c.content)) : [];
  if (embeddings.length !== chunks.length) {
    throw new Error(`${chunks.length} chunks but ${embeddings.length} embeddings`);
  }
  return replaceSourceChunks(tx, {
    ...input,
    count: chunks.length,
    rows: (from, to) => chunks.slice(from, to).map((chunk, k) => chunkRow(chunk, embeddings[from + k]!)),
  });
}
