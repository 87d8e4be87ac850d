import { exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";

import { dpopKey } from "@/test/dpop";

import { DpopProofError, htuOf, verifyDpopProof } from "./proof.ts";

/*
 * Guarantee (RFC 9449 §4.3; issue 16 §5): a DPoP proof is accepted only for this request's method
 * and URL, within the iat window, signed by the public key in its own header, typed dpop+jwt with
 * an asymmetric algorithm, and with the hash of the access token it comes with; every hostile
 * variant is a DpopProofError (a 400 or 401 to the caller), never an exception of another kind.
 */
const URL_ = "https://keyward.example/api/v1/me";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function refused(
  proof: string | null,
  extra: { method?: string; uri?: string; accessToken?: string } = {},
) {
  const error = await verifyDpopProof({
    header: proof,
    method: extra.method ?? "GET",
    uri: extra.uri ?? URL_,
    ...(extra.accessToken ? { accessToken: extra.accessToken } : {}),
  }).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DpopProofError);
  return (error as Error).message;
}

describe("a DPoP proof", () => {
  it("proves its key's thumbprint for this method and URL (query and fragment aside), with ath", async () => {
    for (const alg of ["ES256", "RS256", "EdDSA"] as const) {
      const key = await dpopKey(alg);
      const proof = await key.proof({ htm: "GET", htu: `${URL_}?page=2`, accessToken: "tok" });
      const verified = await verifyDpopProof({ header: proof, method: "get", uri: URL_, accessToken: "tok" });
      expect(verified.jkt).toBe(key.jkt);
    }
    expect(htuOf("HTTPS://Keyward.Example:443/api/v1/me#x")).toBe(URL_);
    expect(htuOf("ftp://keyward.example/")).toBeNull();
  });

  it("is refused for another method or URL, outside the iat window, or for another token", async () => {
    const key = await dpopKey();
    const now = Math.floor(Date.now() / 1000);
    expect(await refused(await key.proof({ htm: "POST", htu: URL_ }))).toMatch(/htm/);
    expect(
      await refused(await key.proof({ htm: "GET", htu: "https://keyward.example/api/v1/users" })),
    ).toMatch(/htu/);
    expect(await refused(await key.proof({ htm: "GET", htu: "https://other.example/api/v1/me" }))).toMatch(
      /htu/,
    );
    expect(await refused(await key.proof({ htm: "GET", htu: URL_, iat: now - 301 }))).toMatch(/iat/);
    expect(await refused(await key.proof({ htm: "GET", htu: URL_, iat: now + 61 }))).toMatch(/iat/);
    expect(
      await refused(await key.proof({ htm: "GET", htu: URL_, accessToken: "a" }), { accessToken: "b" }),
    ).toMatch(/ath/);
    // Presented with a token, a proof without ath is no proof for it.
    expect(await refused(await key.proof({ htm: "GET", htu: URL_ }), { accessToken: "b" })).toMatch(/ath/);
  });

  it("is refused when hostile: none, HS256, a private or symmetric jwk, another key, wrong typ, two proofs, junk", async () => {
    const key = await dpopKey();
    const other = await dpopKey();
    const good = await key.proof({ htm: "GET", htu: URL_ });
    const [, payload, signature] = good.split(".");
    const now = Math.floor(Date.now() / 1000);
    // alg none, unsigned.
    expect(
      await refused(`${b64({ typ: "dpop+jwt", alg: "none", jwk: key.publicJwk })}.${payload}.`),
    ).toBeTruthy();
    expect(
      await refused(
        `${b64({ typ: "dpop+jwt", alg: "HS256", jwk: { kty: "oct", k: "c2VjcmV0" } })}.${payload}.${signature}`,
      ),
    ).toMatch(/alg/);
    // A private key in the header (the client leaking its own): refused, whoever signed.
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const leaked = await exportJWK(privateKey);
    expect(await refused(await key.proof({ htm: "GET", htu: URL_, header: { jwk: leaked } }))).toMatch(
      /public key/,
    );
    expect(
      await refused(
        await key.proof({ htm: "GET", htu: URL_, header: { jwk: { kty: "oct", k: "c2VjcmV0" } } }),
      ),
    ).toMatch(/public key/);
    // Signed by one key, naming another.
    expect(
      await refused(await key.proof({ htm: "GET", htu: URL_, header: { jwk: other.publicJwk } })),
    ).toMatch(/signature/);
    expect(await refused(await key.proof({ htm: "GET", htu: URL_, header: { typ: "JWT" } }))).toMatch(/typ/);
    expect(await refused(`${good}, ${good}`)).toMatch(/exactly one/);
    expect(await refused(null)).toMatch(/required/);
    for (const junk of [
      "",
      "a.b.c",
      "x".repeat(9000),
      `${b64({ typ: "dpop+jwt", alg: "ES256", jwk: "x" })}.${payload}.${signature}`,
      `${b64([1])}.${b64("s")}.AA`,
    ]) {
      await refused(junk);
    }
    // Signed properly, with claims of the wrong type: iat a string, htu an object, jti missing.
    for (const claims of [
      { htm: "GET", htu: URL_, iat: String(now), jti: "j" },
      { htm: "GET", htu: { href: URL_ }, iat: now, jti: "j" },
      { htm: "GET", htu: URL_, iat: now },
      { htm: ["GET"], htu: URL_, iat: now, jti: "j" },
    ]) {
      expect(await refused(await key.proof({ htm: "GET", htu: URL_, claims }))).toMatch(/claims|must carry/);
    }
  });
});
