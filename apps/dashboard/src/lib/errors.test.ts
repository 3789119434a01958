import { describe, expect, it } from "vitest";
import { errorCode, readableError, serverFieldErrors } from "./errors";

// The shape a TRPCClientError has after the api's errorFormatter.
function apiError(message: string, data: object) {
  return Object.assign(new Error(message), { data });
}

describe("api errors", () => {
  it("reads the tRPC code", () => {
    expect(errorCode(apiError("Please sign in.", { code: "UNAUTHORIZED" }))).toBe("UNAUTHORIZED");
    expect(errorCode(new Error("x"))).toBeUndefined();
    expect(errorCode("nope")).toBeUndefined();
  });

  it("prefers the validation issues, then the api's sentence", () => {
    const invalid = apiError("[...]", {
      code: "BAD_REQUEST",
      zodIssues: [{ path: "password", message: "Use at least 10 characters." }],
    });
    expect(readableError(invalid)).toBe("password: Use at least 10 characters.");
    expect(readableError(apiError("Wrong email or password.", { code: "UNAUTHORIZED" }))).toBe(
      "Wrong email or password.",
    );
  });

  it("explains network failures in plain words", () => {
    expect(readableError(new TypeError("Failed to fetch"))).toMatch(/Cannot reach the server/);
    expect(readableError(undefined)).toMatch(/Something went wrong/);
  });

  it("keys server field errors by their first path segment", () => {
    const invalid = apiError("", {
      zodIssues: [
        { path: "allowedOrigins.1", message: "Enter an origin" },
        { path: "allowedOrigins.2", message: "second" },
        { path: "", message: "form-level" },
      ],
    });
    expect(serverFieldErrors(invalid)).toEqual({ allowedOrigins: "Enter an origin" });
  });
});
