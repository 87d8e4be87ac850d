import { randomUUID } from "node:crypto";

import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

import { POST as tokenEndpoint } from "../app/api/oauth/token/route.ts";
import { getConfig } from "../lib/config/env.ts";
import { accessTokenHash } from "../lib/dpop/proof.ts";
import { basic } from "./credentials.ts";
import { call } from "./requests.ts";

/** A client's DPoP key pair (ES256) and proofs made with it (RFC 9449 §4.2), for tests. */
export type DpopKey = {
  publicJwk: JWK;
  jkt: string;
  proof(input: {
    htm: string;
    htu: string;
    accessToken?: string;
    nonce?: string;
    iat?: number;
    jti?: string;
    /** Header members to add or replace (hostile proofs). */
    header?: Record<string, unknown>;
    /** Claims to sign instead of the proof's own (hostile proofs). */
    claims?: Record<string, unknown>;
  }): Promise<string>;
};

export async function dpopKey(alg: "ES256" | "RS256" | "EdDSA" = "ES256"): Promise<DpopKey> {
  return dpopKeyOf(await generateKeyPair(alg, { extractable: true }), alg);
}

/** Proofs made with a key pair a client library holds (openid-client's randomDPoPKeyPair). */
export async function dpopKeyOf(
  { publicKey, privateKey }: { publicKey: CryptoKey; privateKey: CryptoKey },
  alg: "ES256" | "RS256" | "EdDSA" = "ES256",
): Promise<DpopKey> {
  const publicJwk = await exportJWK(publicKey);
  const headerOf = (extra: Record<string, unknown>) =>
    ({ alg, typ: "dpop+jwt", jwk: publicJwk, ...extra }) as Parameters<SignJWT["setProtectedHeader"]>[0];
  return {
    publicJwk,
    jkt: await calculateJwkThumbprint(publicJwk, "sha256"),
    proof: ({ htm, htu, accessToken, nonce, iat, jti, header = {}, claims }) =>
      claims
        ? new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
            .setProtectedHeader(headerOf(header))
            .sign(privateKey)
        : new SignJWT({
            htm,
            htu,
            ...(accessToken ? { ath: accessTokenHash(accessToken) } : {}),
            ...(nonce ? { nonce } : {}),
          })
            .setProtectedHeader(headerOf(header))
            .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
            .setJti(jti ?? randomUUID())
            .sign(privateKey),
  };
}

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
