/** pgvector's text form of an embedding, for inserts and distance parameters. */
export function toVector(values: readonly number[] | Float32Array): string {
  return `[${values.join(",")}]`;
}

export function fromVector(text: string): number[] {
  return text.slice(1, -1).split(",").map(Number);
}
