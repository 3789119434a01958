import { describe, expect, it } from "vitest";
import { openSecret, sealSecret } from "./secret-box";

const secret = "a".repeat(64);

describe("secret box", () => {
  it("opens what it sealed, with a fresh IV each time", () => {
    const a = sealSecret(secret, "sk-live-123", "tenant-1");
    const b = sealSecret(secret, "sk-live-123", "tenant-1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-live");
    expect(openSecret(secret, a, "tenant-1")).toBe("sk-live-123");
    expect(openSecret(secret, sealSecret(secret, "", "t"), "t")).toBe("");
  });

  it("refuses another context, another secret and tampered values", () => {
    const sealed = sealSecret(secret, "sk-live-123", "tenant-1");
    expect(openSecret(secret, sealed, "tenant-2")).toBeNull();
    expect(openSecret("b".repeat(64), sealed, "tenant-1")).toBeNull();
    const [v, iv, ct, tag] = sealed.split(".");
    const flipped = Buffer.from(ct!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(openSecret(secret, [v, iv, flipped.toString("base64url"), tag].join("."), "tenant-1")).toBeNull();
    expect(openSecret(secret, "v2.x.y.z", "tenant-1")).toBeNull();
    expect(openSecret(secret, "garbage", "tenant-1")).toBeNull();
  });
});
