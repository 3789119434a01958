import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { isTransientSendError, retryDelayMs, SEND_RETRY, shouldRetrySend } from "./send-retry";

const withCode = (code: string) =>
  Object.assign(new TRPCClientError<never>("x"), { data: { code } }) as unknown as Error;

describe("dashboard send retry", () => {
  it("retries what passes, not what was refused", () => {
    expect(isTransientSendError(withCode("SERVICE_UNAVAILABLE"))).toBe(true);
    expect(isTransientSendError(withCode("TOO_MANY_REQUESTS"))).toBe(true);
    expect(isTransientSendError(new TypeError("Failed to fetch"))).toBe(true);
    expect(isTransientSendError(withCode("BAD_REQUEST"))).toBe(false);
    expect(isTransientSendError(withCode("INTERNAL_SERVER_ERROR"))).toBe(false);
  });

  it("stops after its attempts and backs off with jitter up to a cap", () => {
    expect(shouldRetrySend(0, withCode("SERVICE_UNAVAILABLE"))).toBe(true);
    expect(shouldRetrySend(SEND_RETRY.attempts - 1, withCode("SERVICE_UNAVAILABLE"))).toBe(false);
    expect(retryDelayMs(0, () => 0)).toBe(500);
    expect(retryDelayMs(1, () => 1)).toBe(2_000);
    expect(retryDelayMs(30, () => 1)).toBe(SEND_RETRY.maxMs);
  });
});
