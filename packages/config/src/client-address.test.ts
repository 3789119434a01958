import { describe, expect, it } from "vitest";
import { clientAddressResolver, isAddressOrBlock } from "./client-address";

describe("the client address behind trusted proxies", () => {
  it("ignores X-Forwarded-For when no proxy is trusted", () => {
    const of = clientAddressResolver([]);
    expect(of("203.0.113.9", "198.51.100.1")).toBe("203.0.113.9");
    expect(of("::ffff:127.0.0.1", undefined)).toBe("127.0.0.1");
    expect(of(null, "198.51.100.1")).toBeNull();
  });

  it("takes the address a trusted proxy appended, and only that", () => {
    const of = clientAddressResolver(["127.0.0.1", "10.0.0.0/8"]);
    expect(of("127.0.0.1", "198.51.100.7")).toBe("198.51.100.7");
    expect(of("::ffff:127.0.0.1", "198.51.100.7")).toBe("198.51.100.7");
    // A client's own forged entry sits left of what the proxy appended: it is never reached.
    expect(of("127.0.0.1", "1.2.3.4, 198.51.100.7")).toBe("198.51.100.7");
    // Two trusted hops (balancer, then an internal proxy) hand over in turn.
    expect(of("127.0.0.1", "198.51.100.7, 10.1.2.3")).toBe("198.51.100.7");
    expect(of("127.0.0.1", undefined)).toBe("127.0.0.1");
    expect(of("127.0.0.1", "not-an-address")).toBe("127.0.0.1");
  });

  it("ignores the header from an untrusted peer", () => {
    const of = clientAddressResolver(["10.0.0.0/8"]);
    expect(of("203.0.113.9", "198.51.100.7")).toBe("203.0.113.9");
  });

  it("accepts addresses and CIDR blocks of both families, and nothing else", () => {
    expect(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"].every(isAddressOrBlock)).toBe(true);
    expect(["localhost", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", ""].some(isAddressOrBlock)).toBe(false);
    expect(() => clientAddressResolver(["proxy.internal"])).toThrow(/neither an IP address/);
    const v6 = clientAddressResolver(["fd00::/8"]);
    expect(v6("fd00::1", "2001:db8::5")).toBe("2001:db8::5");
  });
});
