import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../testing";

/** Signs up over HTTP with `forwardedFor` and returns the address the session recorded. */
async function sessionAddress(
  platform: TestPlatform,
  email: string,
  forwardedFor: string,
): Promise<string | null> {
  const response = await fetch(`${platform.url}/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: platform.origin, "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ email, password: "correct horse battery", name: "Ada", workspaceName: "Ada's" }),
  });
  expect(response.status).toBe(200);
  const row = await platform.deps.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select("sessions.ip")
    .where("users.email", "=", email)
    .executeTakeFirstOrThrow();
  return row.ip;
}

describe("the client address behind a load balancer", () => {
  let direct: TestPlatform;
  let proxied: TestPlatform;
  beforeAll(async () => {
    [direct, proxied] = await Promise.all([
      createTestPlatform(),
      // The test's requests come from 127.0.0.1: here that is the trusted balancer.
      createTestPlatform({ trustedProxies: ["127.0.0.0/8"] }),
    ]);
  });
  afterAll(() => Promise.all([direct.close(), proxied.close()]));

  it("believes X-Forwarded-For from a trusted proxy, taking the hop it appended", async () => {
    expect(await sessionAddress(proxied, "a@proxy.test", "198.51.100.7")).toBe("198.51.100.7");
    // The client's own forged entry comes first; the balancer appended the real one.
    expect(await sessionAddress(proxied, "b@proxy.test", "1.2.3.4, 198.51.100.8")).toBe("198.51.100.8");
  });

  it("ignores X-Forwarded-For when no proxy is trusted (the default)", async () => {
    expect(await sessionAddress(direct, "c@proxy.test", "198.51.100.7")).toBe("127.0.0.1");
  });
});
