import type { WidgetProcedures } from "./api-types";

// A tRPC v11 caller over plain fetch (no transformer): the widget must stay small, so no @trpc/client.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiClient {
  call<P extends keyof WidgetProcedures>(
    path: P,
    input: WidgetProcedures[P]["input"],
    init?: { signal?: AbortSignal },
  ): Promise<WidgetProcedures[P]["output"]>;
}

const queries = new Set<keyof WidgetProcedures>(["widget.config", "conversation.history"]);

interface TrpcResponse {
  result?: { data: unknown };
  error?: { message?: string; code?: number | string; data?: { code?: string; httpStatus?: number } };
}

export function createApiClient(deps: {
  baseUrl: string;
  token: () => string | null;
  fetch?: typeof fetch;
}): ApiClient {
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const base = deps.baseUrl.replace(/\/+$/, "");
  return {
    async call(path, input, init) {
      const headers: Record<string, string> = {};
      const token = deps.token();
      if (token) headers.authorization = `Bearer ${token}`;
      const isQuery = queries.has(path);
      let url = `${base}/trpc/${path}`;
      if (isQuery) url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
      else headers["content-type"] = "application/json";
      const response = await doFetch(url, {
        method: isQuery ? "GET" : "POST",
        headers,
        ...(isQuery ? {} : { body: JSON.stringify(input) }),
        ...(init?.signal ? { signal: init.signal } : {}),
      });
      const body = (await response.json().catch(() => ({}))) as TrpcResponse;
      if (body.error || !response.ok || !body.result) {
        const error = body.error;
        throw new ApiError(
          error?.message ?? `HTTP ${response.status}`,
          error?.data?.code ?? String(error?.code ?? "HTTP_ERROR"),
          error?.data?.httpStatus ?? response.status,
        );
      }
      return body.result.data as never;
    },
  };
}
