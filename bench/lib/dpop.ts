import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

import { calculateJwkThumbprint, type JWK } from "jose";

/**
 * DPoP proofs for the load generator (RFC 9449 §4.2), made synchronously with node:crypto
 * (autocannon's setupRequest cannot wait) and ahead of the measured window, so the driver's
 * signing does not count against Keyward's figure: one per request, each with its own jti.
 */
export type ProofMaker = {
  jkt: string;
  proof(htm: string, htu: string, extra?: Record<string, string>): string;
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export async function proofMaker(): Promise<ProofMaker> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const header = b64({
    typ: "dpop+jwt",
    alg: "ES256",
    jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
  });
  const signer: KeyObject = privateKey;
  return {
    jkt: await calculateJwkThumbprint(jwk, "sha256"),
    proof(htm, htu, extra = {}) {
      const payload = b64({ htm, htu, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ...extra });
      const input = `${header}.${payload}`;
      const signature = sign("sha256", Buffer.from(input), { key: signer, dsaEncoding: "ieee-p1363" });
      return `${input}.${signature.toString("base64url")}`;
    },
  };
}

/** `ath` (RFC 9449 §4.2) of an access token. */
export const ath = (token: string) => createHash("sha256").update(token, "ascii").digest("base64url");

/**
 * A client's DPoP-bound token from Keyward's token endpoint, through the nonce round trip (§8), as
 * a client library gets one.
 */
export async function boundClientToken(
  base: string,
  issuer: string,
  client: { clientId: string; secret: string },
  maker: ProofMaker,
): Promise<string> {
  const htu = `${issuer}/api/oauth/token`;
  const request = (proof: string) =>
    fetch(`${base}/api/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        dpop: proof,
      },
      body: "grant_type=client_credentials",
    });
  const first = await request(maker.proof("POST", htu));
  const nonce = first.headers.get("dpop-nonce") ?? "";
  await first.body?.cancel();
  const second = await request(maker.proof("POST", htu, { nonce }));
  const body = (await second.json()) as { access_token?: string; token_type?: string; error?: string };
  if (body.token_type !== "DPoP" || !body.access_token)
    throw new Error(`no bound token: ${JSON.stringify(body)}`);
  return body.access_token;
}
