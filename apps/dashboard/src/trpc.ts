import type { AppRouter } from "@avatar-chat/api";
import { MAX_BATCH_CALLS } from "@avatar-chat/api/client";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { errorCode } from "./lib/errors";

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** The session gate registers where an expired session goes (the sign-in page with a message). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

// Any UNAUTHORIZED answer, from any screen, means the session is gone (expired, signed out elsewhere).
// Calls made with `trpcClient` directly (uploads, exports) pass their errors here too.
export function handleError(error: unknown): void {
  if (errorCode(error) === "UNAUTHORIZED") onUnauthorized();
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: handleError }),
  mutationCache: new MutationCache({ onError: handleError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Retrying a refusal (auth, validation, not found) only delays the message the user needs.
      retry: (count, error) =>
        count < 2 && (errorCode(error) ?? "INTERNAL_SERVER_ERROR") === "INTERNAL_SERVER_ERROR",
    },
  },
});

// Same origin: the session cookie rides along, and the api's Origin check accepts the dashboard.
export const trpcClient = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc", maxURLLength: 4000, maxItems: MAX_BATCH_CALLS })],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
