/** Error text fit for a user-facing field: the message only, never a stack trace, bounded. */
export function readableError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0]?.trim() || "unknown error";
  return firstLine.length > 300 ? `${firstLine.slice(0, 297)}...` : firstLine;
}
