import { randomUUID } from "node:crypto";

import type { RequestContext } from "../auth/principal.ts";

/**
 * Keyward's server (scripts/server.js) writes the TCP peer address into this header after deleting
 * any value a client sent, so it cannot be spoofed. X-Forwarded-For is not believed by default.
 */
export const PEER_HEADER = "x-keyward-peer";
export const REQUEST_ID_HEADER = "x-request-id";

type HeaderSource = { get(name: string): string | null };

export function requestContext(headers: HeaderSource): RequestContext {
  return {
    ip: normaliseIp(headers.get(PEER_HEADER) ?? ""),
    userAgent: (headers.get("user-agent") ?? "").slice(0, 512),
    requestId: headers.get(REQUEST_ID_HEADER) ?? randomUUID(),
  };
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
function normaliseIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}
