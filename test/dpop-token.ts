import { POST as tokenEndpoint } from "../app/api/oauth/token/route.ts";
import { getConfig } from "../lib/config/env.ts";
import { basic } from "./credentials.ts";
import type { DpopKey } from "./dpop.ts";
import { call } from "./requests.ts";

// In-process token requests with DPoP proofs, for the integration tests (test/dpop.ts makes the
// keys and proofs, and is what the browser tests import: it needs nothing of Next).

/** A client-credentials request to the real token endpoint, with a DPoP proof (or none: null). */
export function dpopTokenRequest(
  client: { clientId: string; clientSecret: string },
  proof: string | null,
  params: Record<string, string> = {},
) {
  return call(tokenEndpoint, {
    method: "POST",
    path: "/api/oauth/token",
    headers: {
      authorization: basic(client.clientId, client.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
      ...(proof ? { dpop: proof } : {}),
    },
    body: new URLSearchParams({ grant_type: "client_credentials", ...params }).toString(),
  });
}

/**
 * RFC 9449 §8's round trip, as a client library makes it: a proof without a nonce is answered
 * use_dpop_nonce with one in `DPoP-Nonce`; the next proof carries it. Returns both answers.
 */
export async function dpopNonceDance(
  client: { clientId: string; clientSecret: string },
  key: DpopKey,
  params: Record<string, string> = {},
) {
  const htu = `${getConfig().issuer}/api/oauth/token`;
  const first = await dpopTokenRequest(client, await key.proof({ htm: "POST", htu }), params);
  const nonce = first.headers.get("dpop-nonce") ?? "";
  const proof = await key.proof({ htm: "POST", htu, nonce });
  return { first, second: await dpopTokenRequest(client, proof, params), proof };
}
