import { describe, expect, it } from "vitest";

import { clientAddressResolver, protocolResolver } from "./client-address.js";

describe("the client's address", () => {
  it("is the TCP peer, whatever X-Forwarded-For says, without KEYWARD_TRUSTED_PROXIES", () => {
    const resolve = clientAddressResolver(undefined);
    expect(resolve("203.0.113.7", "198.51.100.1")).toBe("203.0.113.7");
    expect(resolve("::ffff:203.0.113.7", undefined)).toBe("203.0.113.7");
  });

  it("is the address the outermost of N trusted proxies saw, with a hop count", () => {
    const resolve = clientAddressResolver("1");
    expect(resolve("10.0.0.2", "198.51.100.1")).toBe("198.51.100.1");
    // A client that sends its own X-Forwarded-For only adds entries to the left of the true one.
    expect(resolve("10.0.0.2", "6.6.6.6, 198.51.100.1")).toBe("198.51.100.1");
    expect(resolve("10.0.0.2", undefined)).toBe("10.0.0.2");
    expect(clientAddressResolver("2")("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9")).toBe("198.51.100.1");
  });

  it("skips trusted proxies from the right with a CIDR list, and ignores the header from anyone else", () => {
    const resolve = clientAddressResolver("10.0.0.0/8, 192.168.1.5, fd00::/8");
    expect(resolve("10.1.2.3", "6.6.6.6, 198.51.100.1, 192.168.1.5")).toBe("198.51.100.1");
    expect(resolve("203.0.113.7", "198.51.100.1")).toBe("203.0.113.7");
    expect(resolve("fd00::1", "2001:db8::7")).toBe("2001:db8::7");
    expect(resolve("10.1.2.3", "not-an-ip, 198.51.100.1")).toBe("198.51.100.1");
  });

  it("reads addresses with ports, and never skips an unreadable entry to reach one a client wrote", () => {
    expect(clientAddressResolver("1")("10.0.0.2", "6.6.6.6, 198.51.100.1:4711")).toBe("198.51.100.1");
    expect(clientAddressResolver("1")("10.0.0.2", "[2001:db8::7]:443")).toBe("2001:db8::7");
    const listed = clientAddressResolver("10.0.0.0/8");
    expect(listed("10.1.2.3", "6.6.6.6, 198.51.100.1:4711")).toBe("198.51.100.1");
    expect(listed("10.1.2.3", "6.6.6.6, proxy-said-something")).toBe("unknown");
  });

  it("refuses a setting that is neither a count nor addresses", () => {
    expect(() => clientAddressResolver("10.0.0.0/8, proxy.internal")).toThrow(/KEYWARD_TRUSTED_PROXIES/);
  });
});

describe("the client's scheme", () => {
  it("is the connection's own without KEYWARD_TRUSTED_PROXIES, whatever X-Forwarded-Proto says", () => {
    const resolve = protocolResolver(undefined);
    expect(resolve("203.0.113.7", "https", false)).toBe("http");
    expect(resolve("203.0.113.7", undefined, true)).toBe("https");
  });

  it("is X-Forwarded-Proto only when the peer is a trusted proxy", () => {
    expect(protocolResolver("1")("10.0.0.2", "https", false)).toBe("https");
    expect(protocolResolver("0")("10.0.0.2", "https", false)).toBe("http");
    const listed = protocolResolver("10.0.0.0/8");
    expect(listed("10.0.0.2", "https, http", false)).toBe("https");
    expect(listed("::ffff:10.0.0.2", "HTTPS", false)).toBe("https");
    expect(listed("203.0.113.7", "https", false)).toBe("http");
    expect(listed("10.0.0.2", "gopher", true)).toBe("https");
  });
});
