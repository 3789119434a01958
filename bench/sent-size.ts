import { readFile, stat } from "node:fs/promises";

/**
 * Bytes a browser receives for a built file: browsers send `Accept-Encoding: gzip, deflate, br, zstd`,
 * and the platform then sends the `.br` variant the build wrote beside the file (the file itself when
 * compressing did not make it smaller). In KB of 1024 bytes.
 */
export async function sentKb(file: string): Promise<number> {
  const brotli = await stat(`${file}.br`).catch(() => null);
  return (brotli ? brotli.size : (await readFile(file)).length) / 1024;
}
