/** Types for scripts/client-address.js (plain JavaScript, so that server.js runs with node alone). */
export function clientAddressResolver(
  setting: string | undefined,
): (peer: string, forwardedFor: string | undefined) => string;
export function protocolResolver(
  setting: string | undefined,
): (peer: string, forwardedProto: string | undefined, encrypted: boolean) => "https" | "http";
