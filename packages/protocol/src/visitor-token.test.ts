import { describe, expect, it } from "vitest";
import { createVisitorToken, verifyVisitorToken } from "./visitor-token";

const claims = { visitorId: "v1", tenantId: "t1", chatbotId: "c1" };
const now = new Date("2026-01-01T00:00:00Z");

describe("visitor tokens", () => {
  it("round-trips claims with the vt1 prefix", () => {
    const token = createVisitorToken("secret", claims, 60, now);
    expect(token.startsWith("vt1.")).toBe(true);
    expect(verifyVisitorToken("secret", token, now)).toEqual({
      ...claims,
      expiresAt: now.getTime() / 1000 + 60,
    });
  });

  it("refuses expired tokens", () => {
    const token = createVisitorToken("secret", claims, 60, now);
    expect(verifyVisitorToken("secret", token, new Date(now.getTime() + 60_000))).toBeNull();
  });

  it("refuses another secret, altered claims and junk", () => {
    const token = createVisitorToken("secret", claims, 60, now);
    expect(verifyVisitorToken("other", token, now)).toBeNull();
    const [prefix, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, tenantId: "t2", exp: 9e9 })).toString("base64url");
    expect(verifyVisitorToken("secret", `${prefix}.${forged}.${signature}`, now)).toBeNull();
    for (const junk of ["", "vt1.", "vt1.a.b.c", "ack_123", `${token}x`]) {
      expect(verifyVisitorToken("secret", junk, now)).toBeNull();
    }
  });
});
