import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPlatform, type TestPlatform } from "../testing";
import { signedInUser } from "../testing-users";

// The single-query path must answer exactly as tRPC's fetch adapter does. A `trpc-accept` header sends a
// request to the adapter, so each case is asked both ways and the answers compared.
describe("single-query path", () => {
  let platform: TestPlatform;
  let apiKey: string;
  beforeAll(async () => {
    platform = await createTestPlatform();
    const owner = await signedInUser(platform, "owner@query.test");
    await owner.browser.chatbot.create.mutate({ name: "Helper" });
    apiKey = (await owner.browser.apiKey.create.mutate({ name: "read", scopes: ["read"] })).key;
  });
  afterAll(() => platform.close());

  async function bothWays(path: string, headers: Record<string, string> = {}) {
    const ask = async (extra: Record<string, string>) => {
      const response = await fetch(`${platform.url}/trpc/${path}`, { headers: { ...headers, ...extra } });
      return {
        status: response.status,
        body: (await response.json()) as {
          result?: { data: unknown };
          error?: { data: { zodIssues?: unknown[] } };
        },
        // Every header but the transport's own.
        headers: Object.fromEntries(
          [...response.headers].filter(
            ([name]) => !["date", "content-length", "keep-alive", "connection"].includes(name),
          ),
        ),
      };
    };
    const fast = await ask({});
    const adapter = await ask({ "trpc-accept": "application/json" });
    expect(fast).toEqual(adapter);
    return fast;
  }
  const input = (value: unknown) => `?input=${encodeURIComponent(JSON.stringify(value))}`;

  it("answers a query with data, with the middleware's security and CORS headers", async () => {
    const ok = await bothWays("chatbot.list", { authorization: `Bearer ${apiKey}` });
    expect(ok.status).toBe(200);
    expect(ok.body.result?.data).toEqual([expect.objectContaining({ name: "Helper" })]);
    expect(ok.headers).toMatchObject({
      "x-content-type-options": "nosniff",
      vary: "trpc-accept, accept, Origin",
    });
    const fromSite = await bothWays("chatbot.list", {
      authorization: `Bearer ${apiKey}`,
      origin: "https://shop.example",
    });
    expect(fromSite.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(fromSite.headers["access-control-allow-credentials"]).toBeUndefined();
    const fromDashboard = await bothWays("chatbot.list", {
      authorization: `Bearer ${apiKey}`,
      origin: "http://dashboard.test",
    });
    expect(fromDashboard.headers["access-control-allow-credentials"]).toBe("true");
  });

  it("keeps a procedure's own headers: a rate limit's Retry-After", async () => {
    const flood = await Promise.all(
      Array.from({ length: 700 }, () =>
        fetch(`${platform.url}/trpc/chatbot.list`, { headers: { authorization: `Bearer ${apiKey}` } }),
      ),
    );
    expect(flood.some((r) => r.status === 429)).toBe(true);
    const refused = await bothWays("chatbot.list", { authorization: `Bearer ${apiKey}` });
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("answers refusals with the same error shape and status", async () => {
    expect((await bothWays("chatbot.list")).status).toBe(401);
    expect((await bothWays("chatbot.list", { authorization: "Bearer ack_nope_nope" })).status).toBe(401);
    const invalid = await bothWays(`widget.config${input({ publicKey: "not a key" })}`);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.data.zodIssues).toHaveLength(1);
    expect((await bothWays(`widget.config${input({ publicKey: "pk_missing00000" })}`)).status).toBe(404);
  });

  it("leaves protocol errors to the adapter: unknown paths, mutations by GET, broken input", async () => {
    expect((await bothWays("chatbot.nothing")).status).toBe(404);
    expect((await bothWays(`chatbot.create${input({ name: "x" })}`)).status).toBe(405);
    expect((await bothWays("widget.config?input=%7Bbroken")).status).toBe(400);
  });
});
