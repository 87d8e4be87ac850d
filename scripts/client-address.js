// Who the client is when Keyward sits behind proxies (KEYWARD_TRUSTED_PROXIES). Plain JavaScript:
// scripts/server.js runs with `node` alone. Without the setting, X-Forwarded-For is ignored, so an
// address in limits and the audit log is always the TCP peer's and cannot be spoofed.
import net from "node:net";

/**
 * Where a proxy we are told to count can be: loopback and private ranges (RFC 1918, RFC 4193 unique
 * local, link-local). A hop count names no addresses, so without this any peer on the internet
 * could write X-Forwarded-For and X-Forwarded-Proto and be believed. BlockList matches IPv4-mapped
 * IPv6 addresses ("::ffff:10.0.0.1", "::ffff:a00:1") against the IPv4 ranges.
 */
const PRIVATE = new net.BlockList();
PRIVATE.addSubnet("127.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("10.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("172.16.0.0", 12, "ipv4");
PRIVATE.addSubnet("192.168.0.0", 16, "ipv4");
PRIVATE.addAddress("::1", "ipv6");
PRIVATE.addSubnet("fc00::", 7, "ipv6");
PRIVATE.addSubnet("fe80::", 10, "ipv6");

/** @param {string} address */
function isPrivatePeer(address) {
  // A link-local peer may carry its zone ("fe80::1%eth0"), which BlockList does not read.
  const bare = address.replace(/%[^%]*$/, "");
  const family = net.isIP(bare);
  return family !== 0 && PRIVATE.check(bare, family === 6 ? "ipv6" : "ipv4");
}

/**
 * @param {string | undefined} setting "2" (that many proxies in front of us), or a comma-separated
 *   list of addresses and CIDR ranges of our proxies ("10.0.0.0/8, 192.168.1.5, fd00::/8").
 * @returns {{ hops: number } | { isTrusted: (address: string) => boolean } | null}
 */
function parseTrust(setting) {
  const value = (setting ?? "").trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return { hops: Number(value) };
  const trusted = new net.BlockList();
  for (const entry of value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const type = net.isIPv6(address ?? "") ? "ipv6" : "ipv4";
    if (!net.isIP(address ?? ""))
      throw new Error(`KEYWARD_TRUSTED_PROXIES: "${entry}" is not an address or CIDR range`);
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  return {
    isTrusted: (address) =>
      net.isIP(address) !== 0 && trusted.check(address, net.isIPv6(address) ? "ipv6" : "ipv4"),
  };
}

/**
 * With a hop count, the headers count only when our TCP peer is a loopback or private-range
 * address (a proxy on our own network); a public peer is the client itself.
 * @param {string | undefined} setting KEYWARD_TRUSTED_PROXIES
 * @returns {(peer: string, forwardedFor: string | undefined) => string}
 */
export function clientAddressResolver(setting) {
  const trust = parseTrust(setting);
  if (!trust) return (peer) => normalise(peer);
  if ("hops" in trust) {
    return (peer, forwardedFor) => {
      if (!isPrivatePeer(normalise(peer))) return normalise(peer);
      // The chain as the last proxy saw it, ending with that proxy itself (our TCP peer).
      const chain = [...parseForwardedFor(forwardedFor), normalise(peer)];
      return chain[Math.max(0, chain.length - 1 - trust.hops)] ?? normalise(peer);
    };
  }
  return (peer, forwardedFor) => {
    // From the right: skip our own proxies; the first address that is not one is the client.
    const chain = [...parseForwardedFor(forwardedFor), normalise(peer)];
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = chain[i];
      if (!trust.isTrusted(address) || i === 0) return address;
    }
    return normalise(peer);
  };
}

/**
 * The scheme the client used: X-Forwarded-Proto when our TCP peer is a trusted proxy (it is set by
 * the outermost proxy, so its first value counts), else how the connection itself arrived.
 * @param {string | undefined} setting KEYWARD_TRUSTED_PROXIES
 * @returns {(peer: string, forwardedProto: string | undefined, encrypted: boolean) => "https" | "http"}
 */
export function protocolResolver(setting) {
  const trust = parseTrust(setting);
  const own = (/** @type {boolean} */ encrypted) => (encrypted ? "https" : "http");
  if (!trust) return (_peer, _proto, encrypted) => own(encrypted);
  const peerIsProxy =
    "hops" in trust
      ? (/** @type {string} */ peer) => trust.hops > 0 && isPrivatePeer(normalise(peer))
      : (/** @type {string} */ peer) => trust.isTrusted(normalise(peer));
  return (peer, forwardedProto, encrypted) => {
    if (!forwardedProto || !peerIsProxy(peer)) return own(encrypted);
    const first = forwardedProto.split(",")[0]?.trim().toLowerCase();
    return first === "https" ? "https" : first === "http" ? "http" : own(encrypted);
  };
}

/**
 * The X-Forwarded-For chain, left to right. Ports are dropped ("203.0.113.7:4711", "[2001:db8::1]:80"
 * as some proxies write them); an entry that is still not an address stays in its place as
 * "unknown", so that it is never skipped over to an address further left that a client wrote.
 * @param {string | undefined} header
 */
function parseForwardedFor(header) {
  if (!header) return [];
  return header.split(",").map((part) => {
    const entry = part.trim();
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
    const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
    const address = normalise(bracketed?.[1] ?? v4WithPort?.[1] ?? entry);
    return net.isIP(address) !== 0 ? address : "unknown";
  });
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
function normalise(address) {
  const mapped = /^::ffff:/i.test(address) ? address.slice(7) : "";
  return net.isIPv4(mapped) ? mapped : address;
}
