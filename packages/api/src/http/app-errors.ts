import type { Logger } from "@avatar-chat/telemetry";
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { trpcErrorBody } from "./trpc-error-response";

/**
 * Node's error for a request body the client broke off or garbled (a malformed chunk ends the connection the
 * same way) while the app was reading it: the client's doing, not a failure of the server.
 */
export function isBrokenRequestBody(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "ECONNRESET";
}

/**
 * The app's answer to what a route threw. Hono's default prints the error to the console and answers 500,
 * so a client hanging up mid-body showed in the logs and metrics as a server failure.
 */
export function appErrorHandler(deps: { logger: Logger }): ErrorHandler {
  return (error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (isBrokenRequestBody(error)) {
      c.error = undefined; // so the platform's request log counts a client's 400, not a failure
      return c.json(trpcErrorBody("BAD_REQUEST", 400, "The request body was cut off or malformed."), 400);
    }
    deps.logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(
      trpcErrorBody("INTERNAL_SERVER_ERROR", 500, "Something went wrong on our side. Please try again."),
      500,
    );
  };
}
