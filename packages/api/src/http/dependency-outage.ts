import { isDependencyUnavailable } from "@avatar-chat/config";
import { TRPCError } from "@trpc/server";

/**
 * A procedure that failed because PostgreSQL or Redis could not be reached answers 503 with Retry-After:
 * the request was fine and will work once the dependency is back (a 500 would say it never will).
 * Nothing else is changed; null when `error` is another failure.
 */
export function dependencyOutageError(error: TRPCError): TRPCError | null {
  if (error.code !== "INTERNAL_SERVER_ERROR" || !isDependencyUnavailable(error)) return null;
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "The service is briefly unavailable. Please try again in a moment.",
    cause: error.cause ?? error,
  });
}
