import { createHmac, webcrypto } from "node:crypto";

import fc from "fast-check";
import { exportJWK, generateKeyPair, type JWK } from "jose";

import { getConfig } from "../lib/config/env.ts";
import { accessTokenHeader } from "../lib/oauth/jose-header.ts";
import { activeSigningKey } from "../lib/oauth/signing-keys.ts";

/**
 * Structurally valid JWTs (base64url JSON header . base64url JSON payload . signature) whose
 * header and claims are hostile, for property-based tests of every JWT reader: the bearer
 * resolver, introspection and revocation. Shared by the in-process tests (vitest) and the fuzzing
 * of the running server (e2e/api.fuzz.ts). The JSON is written as text, so that it can hold what a
 * JSON serialiser never writes: duplicate member names, lone surrogates, 1e999.
 */

/** What the generator aims at: real values, so that some tokens get far into verification. */
export type JwtTargets = {
  /** The kid of a key we publish (from /.well-known/jwks.json). */
  kid: string;
  /** That key's public JWK: HS256 with it as the secret is the classic algorithm confusion. */
  publicJwk: JWK;
  issuer: string;
  audience: string;
  clientId: string;
  /** Signs with our own private key (in-process only): hostile claims then pass the signature. */
  signWithOurKey?: (signingInput: string) => Promise<string>;
};

/** One JSON member as text: `"name":value`. */
type Member = [name: string, valueJson: string];

const text = (value: unknown) => JSON.stringify(value);
const b64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");

/** A string JSON.stringify writes as `"\ud800"`: an unpaired surrogate, ill-formed Unicode. */
const LONE_SURROGATES = ["\ud800", "a\udfffb", "\udc00\ud800", "x\ud83d"];

const deepObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

/** Any JSON value as text, hostile in type and size. */
const jsonJunk: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(text),
  fc.constantFrom("1e999", "-1e999", "1e308", "0", "-0", "1.5", "9007199254740993", "-1"),
  fc.boolean().map(text),
  fc.constant("null"),
  fc.constant("[]"),
  fc.constant("{}"),
  fc.constantFrom(...LONE_SURROGATES).map(text),
  fc.string({ maxLength: 20 }).map(text),
  fc.integer({ min: 200, max: 2_500 }).map((n) => text("k".repeat(n))),
  fc.integer({ min: 2, max: 200 }).map(deepObject),
  fc.array(fc.integer(), { maxLength: 5 }).map(text),
  fc.constantFrom(text({ kty: "oct", k: "AAAA" }), text(["a", 1, null]), '{"__proto__":{"admin":true}}'),
);

function headerMembers(t: JwtTargets): fc.Arbitrary<Member[]> {
  const kid = fc.oneof(
    { weight: 3, arbitrary: fc.constant(text(t.kid)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).map(text) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...["", "../../../etc/passwd", "' OR 1=1 --", `${t.kid}\u0000`, "kid with spaces", "%00"].map(text),
      ),
    },
    { weight: 3, arbitrary: jsonJunk },
  );
  const alg = fc.oneof(
    { weight: 3, arbitrary: fc.constant(text("ES256")) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ...[
          "none",
          "None",
          "NONE",
          "HS256",
          "RS256",
          "PS256",
          "ES384",
          "ES512",
          "EdDSA",
          "es256",
          "ES256 ",
          "",
        ].map(text),
      ),
    },
    { weight: 1, arbitrary: jsonJunk },
  );
  const typ = fc.oneof(
    { weight: 3, arbitrary: fc.constant(text("at+jwt")) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...["application/at+jwt", "JWT", "AT+JWT", "at+JWT", "jwt", "", "at+jwt "].map(text),
      ),
    },
    { weight: 1, arbitrary: jsonJunk },
  );
  // Members that fetch or carry a key, or demand extensions; loopback so a fetch would hit us.
  const extra: fc.Arbitrary<Member> = fc.oneof(
    fc.constantFrom<Member>(
      ["jku", text("http://127.0.0.1:3000/.well-known/jwks.json")],
      ["jku", text("http://[::1]:1/jwks")],
      ["x5u", text("http://localhost:1/cert.pem")],
      ["x5u", text("http://169.254.169.254/latest/meta-data/")],
      ["x5c", text(["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"])],
      ["jwk", text(t.publicJwk)],
      ["crit", text(["exp"])],
      ["crit", text([])],
      ["crit", text(["b64"])],
      ["b64", "false"],
      ["enc", text("A256GCM")],
      ["zip", text("DEF")],
      ["cty", text("JWT")],
      ["__proto__", text({ kid: 1 })],
    ),
    fc.tuple(fc.constantFrom("x5t", "x5t#S256", "nonce", "cty", "kid ", "Kid", "KID"), jsonJunk),
    fc.tuple(fc.string({ maxLength: 60 }), jsonJunk),
  );
  return fc
    .record({
      kid: fc.option(kid, { freq: 8 }),
      alg: fc.option(alg, { freq: 8 }),
      typ: fc.option(typ, { freq: 6 }),
      extra: fc.array(extra, { maxLength: 4 }),
      // A second "kid" or "alg" after the first: parsers disagree on which one counts.
      duplicate: fc.option(fc.tuple(fc.constantFrom("kid", "alg", "typ"), jsonJunk), { freq: 4 }),
    })
    .map(({ kid, alg, typ, extra, duplicate }) => {
      const members: Member[] = [];
      if (alg !== null) members.push(["alg", alg]);
      if (typ !== null) members.push(["typ", typ]);
      if (kid !== null) members.push(["kid", kid]);
      members.push(...extra);
      if (duplicate) members.push(duplicate);
      return members;
    });
}

function payloadMembers(t: JwtTargets): fc.Arbitrary<Member[]> {
  const now = Math.floor(Date.now() / 1000);
  const claim = (real: string, hostile: fc.Arbitrary<string>) =>
    fc.option(fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 3, arbitrary: hostile }), {
      freq: 10,
    });
  const time = (real: number) =>
    claim(
      text(real),
      fc.oneof(
        fc.constantFrom(
          text(String(real)),
          "1e999",
          "-1",
          "0",
          "1.5e9",
          "9007199254740993",
          text(null),
          "[]",
        ),
        jsonJunk,
      ),
    );
  return fc
    .record({
      iss: claim(
        text(t.issuer),
        fc.oneof(
          fc.constantFrom(...[`${t.issuer}/`, "https://evil.example", t.issuer.toUpperCase(), ""].map(text)),
          jsonJunk,
        ),
      ),
      aud: claim(
        text(t.audience),
        fc.oneof(
          fc
            .array(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(t.audience)), { maxLength: 30 })
            .map(text),
          fc.constant(text(Array.from({ length: 100 }, (_, i) => `${t.audience}/${i}`))),
          jsonJunk,
        ),
      ),
      exp: time(now + 600),
      iat: time(now),
      jti: claim(text("jti_fuzz"), jsonJunk),
      sub: claim(text(t.clientId), jsonJunk),
      client_id: claim(
        text(t.clientId),
        fc.oneof(fc.constantFrom(...["cli_x", `${t.clientId} `, ""].map(text)), jsonJunk),
      ),
      scope: claim(text("users.read"), jsonJunk),
      duplicate: fc.option(fc.tuple(fc.constantFrom("exp", "client_id", "aud"), jsonJunk), { freq: 4 }),
    })
    .map(({ duplicate, ...claims }) => {
      const members = Object.entries(claims).filter((entry): entry is Member => entry[1] !== null);
      if (duplicate) members.push(duplicate);
      return members;
    });
}

const objectText = (members: Member[]) =>
  `{${members.map(([name, value]) => `${text(name)}:${value}`).join(",")}}`;

/** A header or payload segment: mostly an object, sometimes any other JSON or not JSON at all. */
const segmentText = (members: fc.Arbitrary<Member[]>) =>
  fc.oneof(
    { weight: 8, arbitrary: members.map(objectText) },
    { weight: 1, arbitrary: fc.constantFrom("[]", "null", "1", '"ES256"', "{", "not json", "", "\ufeff{}") },
    { weight: 1, arbitrary: jsonJunk },
  );

export type SignatureKind = "ours" | "stranger" | "hs256-public-key" | "none" | "random";

export type JwtRecipe = { header: string; payload: string; signature: SignatureKind; random: Uint8Array };

/** Hostile JWT recipes; `buildJwt` turns one into a compact token. */
export function hostileJwtRecipe(t: JwtTargets): fc.Arbitrary<JwtRecipe> {
  const kinds: SignatureKind[] = ["stranger", "hs256-public-key", "none", "random"];
  if (t.signWithOurKey) kinds.push("ours", "ours", "ours");
  return fc.record({
    header: segmentText(headerMembers(t)),
    payload: segmentText(payloadMembers(t)),
    signature: fc.constantFrom(...kinds),
    random: fc.uint8Array({ maxLength: 96 }),
  });
}

let stranger: Promise<CryptoKey> | undefined;

/** An ES256 key that is not ours, made once: a correct signature by the wrong key. */
function strangerKey(): Promise<CryptoKey> {
  stranger ??= generateKeyPair("ES256").then((pair) => pair.privateKey);
  return stranger;
}

/** The compact JWT for a recipe, signed as it says (the signature covers the hostile text). */
export async function buildJwt(recipe: JwtRecipe, t: JwtTargets): Promise<string> {
  const signingInput = `${b64url(recipe.header)}.${b64url(recipe.payload)}`;
  let signature: string;
  switch (recipe.signature) {
    case "ours":
      signature = t.signWithOurKey ? await t.signWithOurKey(signingInput) : b64url(recipe.random);
      break;
    case "stranger":
      signature = b64url(
        new Uint8Array(
          await webcrypto.subtle.sign(
            { name: "ECDSA", hash: "SHA-256" },
            await strangerKey(),
            new TextEncoder().encode(signingInput),
          ),
        ),
      );
      break;
    case "hs256-public-key":
      signature = createHmac("sha256", JSON.stringify(t.publicJwk)).update(signingInput).digest("base64url");
      break;
    case "none":
      signature = "";
      break;
    case "random":
      signature = b64url(recipe.random);
      break;
  }
  return `${signingInput}.${signature}`;
}

/** An ES256 signer for the in-process tests, from our real private signing key. */
export function signerFor(key: CryptoKey): (signingInput: string) => Promise<string> {
  return async (signingInput) =>
    b64url(
      new Uint8Array(
        await webcrypto.subtle.sign(
          { name: "ECDSA", hash: "SHA-256" },
          key,
          new TextEncoder().encode(signingInput),
        ),
      ),
    );
}

/** A public JWK for the targets when the caller has only a kid (e.g. before reading the JWKS). */
export async function somePublicJwk(): Promise<JWK> {
  return exportJWK((await generateKeyPair("ES256", { extractable: true })).publicKey);
}

function parsed(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(segment);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The only recipes that may be accepted: our key's signature over a header we would issue and the
 * claims of a live token of the targets' client for our API. Anything else must be refused.
 */
export function mayBeAccepted(recipe: JwtRecipe, token: string, t: JwtTargets): boolean {
  const claims = parsed(recipe.payload);
  const now = Date.now() / 1000;
  return (
    recipe.signature === "ours" &&
    accessTokenHeader(token)?.kid === t.kid &&
    claims !== null &&
    claims.iss === t.issuer &&
    claims.client_id === t.clientId &&
    (claims.aud === t.audience || (Array.isArray(claims.aud) && claims.aud.includes(t.audience))) &&
    typeof claims.exp === "number" &&
    claims.exp > now
  );
}

/**
 * The targets for this installation: its active signing key (created on first use, so the published
 * keys are read after it), its issuer and audience, and a real client's id.
 */
export async function installationTargets(
  published: () => Promise<JWK[]>,
  clientId: string,
): Promise<JwtTargets> {
  const key = await activeSigningKey();
  const publicJwk = (await published()).find((jwk) => jwk.kid === key.kid);
  if (!publicJwk) throw new Error("the active signing key is not published");
  const { issuer, apiAudience: audience } = getConfig();
  return { kid: key.kid, publicJwk, issuer, audience, clientId, signWithOurKey: signerFor(key.key) };
}
