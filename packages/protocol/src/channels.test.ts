import { describe, expect, it } from "vitest";
import { channelKeys, conversationChannel, parseChannel, tenantChannel } from "./channels";

describe("channels", () => {
  it("names and parses both channel kinds", () => {
    expect(conversationChannel("abc")).toBe("conv:abc");
    expect(tenantChannel("t-1")).toBe("tenant:t-1");
    expect(parseChannel("conv:abc")).toEqual({ kind: "conversation", conversationId: "abc" });
    expect(parseChannel("tenant:t-1")).toEqual({ kind: "tenant", tenantId: "t-1" });
  });

  it("rejects unknown kinds and unsafe ids", () => {
    for (const name of ["conv:", "chat:1", "conv", "conv:a b", "tenant:a:b", `conv:${"x".repeat(65)}`]) {
      expect(parseChannel(name)).toBeNull();
    }
  });

  it("keeps every key of a channel under the prefix", () => {
    const keys = channelKeys("conv:1", "p:");
    expect(Object.values(keys).every((k) => k.startsWith("p:rt:"))).toBe(true);
  });
});
