import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** An error body shaped like tRPC's own, for refusals made before a request reaches tRPC. */
export function trpcErrorBody(code: TRPC_ERROR_CODE_KEY, httpStatus: number, message: string) {
  return { error: { message, code: -32600, data: { code, httpStatus } } };
}
