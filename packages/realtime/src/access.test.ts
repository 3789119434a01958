import { describe, expect, it } from "vitest";
import { bearerToken, canJoin, originAllowed, type Principal } from "./access";

const owners = new Map([
  ["c1", { tenantId: "t1", visitorId: "v1" }],
  ["c2", { tenantId: "t2", visitorId: "v2" }],
]);
const lookup = async (id: string) => owners.get(id) ?? null;

const visitor: Principal = { kind: "visitor", tenantId: "t1", chatbotId: "b1", visitorId: "v1" };
const otherVisitor: Principal = { kind: "visitor", tenantId: "t1", chatbotId: "b1", visitorId: "v9" };
const member: Principal = { kind: "member", tenantId: "t1", userId: "u1" };
const apiKey: Principal = { kind: "apiKey", tenantId: "t1", keyId: "k1" };

describe("canJoin", () => {
  const table: [string, Principal, string, boolean][] = [
    ["visitor, own conversation", visitor, "conv:c1", true],
    ["visitor, another visitor's conversation", otherVisitor, "conv:c1", false],
    ["visitor, other tenant's conversation", visitor, "conv:c2", false],
    ["visitor, tenant channel", visitor, "tenant:t1", false],
    ["member, own tenant", member, "tenant:t1", true],
    ["member, other tenant", member, "tenant:t2", false],
    ["member, own tenant's conversation", member, "conv:c1", true],
    ["member, other tenant's conversation", member, "conv:c2", false],
    ["api key, own tenant", apiKey, "tenant:t1", true],
    ["api key, other tenant's conversation", apiKey, "conv:c2", false],
    ["unknown conversation", member, "conv:nope", false],
    ["malformed channel", member, "tenant:t1:x", false],
  ];
  it.each(table)("%s", async (_name, principal, channel, allowed) => {
    expect(await canJoin(principal, channel, lookup)).toBe(allowed);
  });
});

describe("originAllowed", () => {
  it("requires an allowed Origin from members only", () => {
    const allowed = ["https://app.test"];
    expect(originAllowed(member, "https://app.test", allowed)).toBe(true);
    expect(originAllowed(member, "https://evil.test", allowed)).toBe(false);
    expect(originAllowed(member, undefined, allowed)).toBe(false);
    expect(originAllowed(visitor, "https://customer-site.test", allowed)).toBe(true);
    expect(originAllowed(apiKey, undefined, allowed)).toBe(true);
  });
});

describe("bearerToken", () => {
  it("reads the Authorization header first, then ?token=", () => {
    expect(bearerToken({ authorization: "Bearer ack_1" }, "/realtime?token=vt1.x")).toBe("ack_1");
    expect(bearerToken({}, "/realtime?token=vt1.x")).toBe("vt1.x");
    expect(bearerToken({}, "/realtime")).toBeNull();
    expect(bearerToken({ authorization: "Basic abc" }, "/realtime")).toBeNull();
  });
});
