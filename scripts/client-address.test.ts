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

  it("with a hop count, believes X-Forwarded-For only from a loopback or private-range peer", () => {
    const resolve = clientAddressResolver("1");
    for (const proxy of [
      "127.0.0.1",
      "127.255.0.9",
      "10.0.0.2",
      "172.16.0.1",
      "172.31.255.254",
      "192.168.1.1",
      "::1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "fe80::1%eth0",
      "::ffff:10.0.0.2",
      "::ffff:7f00:1",
      "::FFFF:192.168.0.1",
    ]) {
      expect(resolve(proxy, "198.51.100.1"), proxy).toBe("198.51.100.1");
    }
    // A public peer talks to us directly: what it writes in the header is not believed.
    for (const peer of [
      "203.0.113.7",
      "172.32.0.1",
      "172.15.255.255",
      "11.0.0.1",
      "192.169.0.1",
      "2001:db8::7",
      "fec0::1",
      "::ffff:203.0.113.7",
      "::ffff:cb00:7107",
    ]) {
      const expected = peer.startsWith("::ffff:203") ? "203.0.113.7" : peer;
      expect(resolve(peer, "6.6.6.6"), peer).toBe(expected);
      expect(clientAddressResolver("2")(peer, "6.6.6.6, 10.0.0.9"), peer).toBe(expected);
    }
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

  it("with a hop count, is X-Forwarded-Proto only from a loopback or private-range peer", () => {
    const resolve = protocolResolver("1");
    for (const proxy of ["127.0.0.1", "10.9.8.7", "172.20.0.1", "192.168.0.1", "::1", "fd00::2", "fe80::3"]) {
      expect(resolve(proxy, "https", false), proxy).toBe("https");
    }
    for (const peer of ["203.0.113.7", "172.32.0.1", "2001:db8::7", "::ffff:203.0.113.7"]) {
      expect(resolve(peer, "https", false), peer).toBe("http");
      expect(resolve(peer, "http", true), peer).toBe("https");
    }
  });
});
