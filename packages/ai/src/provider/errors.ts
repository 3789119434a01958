import { APIConnectionError, APIError, APIUserAbortError } from "openai";

/** What the caller should do: retry later (rate_limit, transient), stop (auth, permanent), or nothing (cancelled). */
export type ProviderErrorKind = "auth" | "rate_limit" | "transient" | "permanent" | "cancelled";

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: { retryAfterMs?: number | undefined; status?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  /** True when the same request may succeed later. */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "transient";
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 408 || status === 409 || status >= 500) return "transient";
  return "permanent";
}

/** Maps anything the OpenAI SDK (or the network under it) throws into a ProviderError. */
export function toProviderError(error: unknown, signal?: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted || error instanceof APIUserAbortError || isAbortError(error)) {
    return new ProviderError("cancelled", "request cancelled", { cause: error });
  }
  // A refusal by our own fetch (a blocked address) reaches us wrapped by the SDK.
  if (error instanceof APIConnectionError && error.cause instanceof ProviderError) return error.cause;
  if (error instanceof APIConnectionError) {
    return new ProviderError("transient", `provider unreachable: ${error.message}`, { cause: error });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const kind = kindForStatus(error.status);
    return new ProviderError(kind, `provider returned ${error.status}: ${error.message}`, {
      status: error.status,
      retryAfterMs:
        kind === "rate_limit" || kind === "transient" ? parseRetryAfter(error.headers) : undefined,
      cause: error,
    });
  }
  // A body that stops mid-stream surfaces as a plain fetch/stream error ("terminated", ECONNRESET).
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError("transient", `provider stream failed: ${message}`, { cause: error });
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
