// Abuse an outside probe tried (issue 13): huge batches, unlimited cookie calls, locking out an owner.
import { request } from "node:http";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BATCH_CALLS } from "./client";
import { createTestPlatform, type TestPlatform } from "./testing";
import { signedInUser, TEST_PASSWORD, type TestUser } from "./testing-users";
import { SESSION_RATE_LIMIT } from "./trpc";

/** A POST from a chosen loopback address (127.0.0.x), as a browser elsewhere on the network would send it. */
function postFrom(address: string, url: string, body: unknown, origin: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        localAddress: address,
        headers: { "content-type": "application/json", origin },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("abuse limits", () => {
  let platform: TestPlatform;
  let owner: TestUser;

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await signedInUser(platform, "owner@example.com");
  });
  afterAll(() => platform.close());

  it(`refuses a batch of more than ${MAX_BATCH_CALLS} calls with a clear 400`, async () => {
    const batch = (n: number) =>
      fetch(
        `${platform.url}/trpc/${Array(n).fill("widget.config").join(",")}?batch=1&input=${encodeURIComponent(
          JSON.stringify(
            Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { publicKey: "pk_nothing12345" }])),
          ),
        )}`,
      );
    const over = await batch(MAX_BATCH_CALLS + 1);
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { message: string } }).error.message).toBe(
      `Send at most ${MAX_BATCH_CALLS} calls in one batch (this one has ${MAX_BATCH_CALLS + 1}).`,
    );
    const mutations = await fetch(
      `${platform.url}/trpc/${Array(1000).fill("auth.signOut").join(",")}?batch=1`,
      {
        method: "POST",
        headers: { "content-type": "application/json", origin: platform.origin },
        body: "{}",
      },
    );
    expect(mutations.status).toBe(400);
    const within = await batch(MAX_BATCH_CALLS);
    expect(within.status).toBe(404); // every call answered: no such chatbot
    expect(await within.json()).toHaveLength(MAX_BATCH_CALLS);
  });

  it("rate-limits calls made with a session cookie", async () => {
    const session = await platform.deps.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", owner.userId)
      .executeTakeFirstOrThrow();
    // The session has already used its minute's calls.
    await platform.deps.redis.set(
      `${platform.deps.config.redisPrefix}rl:session:${session.id}`,
      SESSION_RATE_LIMIT.limit,
      "PX",
      SESSION_RATE_LIMIT.windowMs,
    );
    const refused = await owner.browser.chatbot.list.query().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<never>).data).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await platform.deps.redis.del(`${platform.deps.config.redisPrefix}rl:session:${session.id}`);
    await owner.browser.chatbot.list.query();
  });

  it("wrong passwords from one address do not lock the owner out from theirs", async () => {
    const signIn = (address: string, password: string) =>
      postFrom(
        address,
        `${platform.url}/trpc/auth.signIn`,
        { email: owner.email, password },
        platform.origin,
      );
    for (let i = 0; i < 10; i++) expect((await signIn("127.0.0.2", "wrong password")).status).toBe(401);
    // The guessing address is stopped, even with the right password...
    expect((await signIn("127.0.0.2", TEST_PASSWORD)).status).toBe(429);
    // ...while the owner, elsewhere, signs in.
    expect((await signIn("127.0.0.1", TEST_PASSWORD)).status).toBe(200);
  });
});
