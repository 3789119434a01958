import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "./root";

export type { AppRouter } from "./root";

/** Calls the api takes in one batched request; clients split larger batches (`maxItems`). */
export const MAX_BATCH_CALLS = 50;

export interface ClientOptions {
  /** The platform's base URL, e.g. https://chat.example.com */
  url: string;
  /** A tenant API key (`ack_...`) or a visitor token (`vt1. ...`). */
  apiKey?: string;
}

/** A typed client for integrators: every procedure of every module, batched over HTTP. */
export function createClient(options: ClientOptions): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/$/, "")}/trpc`,
        maxItems: MAX_BATCH_CALLS,
        headers: () => (options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      }),
    ],
  });
}
