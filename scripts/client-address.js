// Who the client is when Keyward sits behind proxies (KEYWARD_TRUSTED_PROXIES). Plain JavaScript:
// scripts/server.js runs with `node` alone. Without the setting, X-Forwarded-For is ignored, so an
// address in limits and the audit log is always the TCP peer's and cannot be spoofed.
import net from "node:net";

/**
 * @param {string | undefined} setting "2" (that many proxies in front of us), or a comma-separated
 *   list of addresses and CIDR ranges of our proxies ("10.0.0.0/8, 192.168.1.5, fd00::/8").
 * @returns {(peer: string, forwardedFor: string | undefined) => string}
 */
export function clientAddressResolver(setting) {
  const value = (setting ?? "").trim();
  if (!value) return (peer) => normalise(peer);
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (peer, forwardedFor) => {
      // The chain as the last proxy saw it, ending with that proxy itself (our TCP peer).
      const chain = [...parseForwardedFor(forwardedFor), normalise(peer)];
      return chain[Math.max(0, chain.length - 1 - hops)] ?? normalise(peer);
    };
  }
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
  const isTrusted = (address) =>
    net.isIP(address) !== 0 && trusted.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");
  return (peer, forwardedFor) => {
    // From the right: skip our own proxies; the first address that is not one is the client.
    const chain = [...parseForwardedFor(forwardedFor), normalise(peer)];
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = chain[i];
      if (!isTrusted(address) || i === 0) return address;
    }
    return normalise(peer);
  };
}

function parseForwardedFor(header) {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => normalise(part.trim().replace(/^\[|\](:\d+)?$/g, "")))
    .filter((part) => net.isIP(part) !== 0);
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
function normalise(address) {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
