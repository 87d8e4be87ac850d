import { createPublicKey, verify as verifySignature } from "node:crypto";

import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";

/**
 * What an organization's API pays to verify Keyward's client JWTs itself, as the example resource
 * server does (examples/orders-api): jose's `jwtVerify` with issuer, audience and `typ: at+jwt`
 * against a JWKS, beside the bare ES256 signature check that is its floor. Both in this process,
 * sequential: the ratio is the library's overhead (header and claim checks, key selection).
 */
export async function joseVerification(count = 20_000): Promise<{ jose: number; bare: number }> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "ES256", use: "sig" };
  const jwks = createLocalJWKSet({ keys: [jwk] });
  const issuer = "https://keyward.example.test";
  const audience = "https://orders.example.test/";
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: "cl_bench", scope: "orders.read" })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "bench" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject("cl_bench")
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti("jti_bench")
    .sign(privateKey);

  const options = { issuer, audience, typ: "at+jwt", algorithms: ["ES256"] };
  for (let i = 0; i < 500; i++) await jwtVerify(token, jwks, options); // warm the JIT
  let start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await jwtVerify(token, jwks, options);
  const jose = count / (Number(process.hrtime.bigint() - start) / 1e9);

  const [header, payload, signature] = token.split(".") as [string, string, string];
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, "base64url");
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const check = () => verifySignature("sha256", data, { key, dsaEncoding: "ieee-p1363" }, sig);
  for (let i = 0; i < 500; i++) check();
  start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (!check()) throw new Error("the bare verify failed");
  const bare = count / (Number(process.hrtime.bigint() - start) / 1e9);
  return { jose, bare };
}
