/** One origin per line (or comma separated) in a textarea ⇄ the list the api stores. */
export function parseOriginList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}

export function formatOriginList(origins: readonly string[]): string {
  return origins.join("\n");
}
