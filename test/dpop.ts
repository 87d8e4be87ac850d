import { randomUUID } from "node:crypto";

import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

import { accessTokenHash } from "../lib/dpop/proof.ts";

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
