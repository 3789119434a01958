/** The shape tRPC client errors carry (see the api's errorFormatter); read structurally to stay a pure helper. */
interface ErrorData {
  code?: string;
  zodIssues?: { path: string; message: string }[];
}

function dataOf(error: unknown): ErrorData | undefined {
  if (typeof error !== "object" || error === null || !("data" in error)) return undefined;
  const data = (error as { data: unknown }).data;
  return typeof data === "object" && data !== null ? (data as ErrorData) : undefined;
}

/** The tRPC error code (`UNAUTHORIZED`, `FORBIDDEN`, ...) or undefined for network and other errors. */
export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

/** A sentence to show a person: the api's own message, or a plain one for network failures. */
export function readableError(error: unknown): string {
  const issues = dataOf(error)?.zodIssues;
  if (issues?.length) return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(" ");
  if (error instanceof Error) {
    if (error.message === "Failed to fetch" || error.name === "TypeError")
      return "Cannot reach the server. Check your connection and try again.";
    if (error.message.startsWith("Unexpected token") || error.message.includes("JSON"))
      return "The server sent an unexpected answer. Please try again.";
    return error.message;
  }
  return "Something went wrong. Please try again.";
}

/** Field errors from the api's zod issues, keyed by the first path segment. */
export function serverFieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of dataOf(error)?.zodIssues ?? []) {
    const key = issue.path.split(".")[0] ?? "";
    if (key && !out[key]) out[key] = issue.message;
  }
  return out;
}
