import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { introspectionSnippet, tokenSnippet, verifySnippet, type SnippetEndpoints } from "./api-snippets";

// Guarantee: the Node snippet an API's page shows is code that works as pasted: it accepts a
// token Keyward would issue for that API and refuses one for another audience, from another
// issuer, or that is not an access token (typ), against a real JWKS over HTTP.

const IDENTIFIER = "https://orders.example.test/";
const ISSUER = "https://keyward.example.test";

let server: http.Server;
let endpoints: SnippetEndpoints;
let verify: (token: string) => Promise<Record<string, unknown>>;
let hasScope: (payload: Record<string, unknown>, needed: string) => boolean;
let sign: (claims: Record<string, unknown>, typ?: string) => Promise<string>;
let dir: string;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  server = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  endpoints = {
    issuer: ISSUER,
    tokenEndpoint: `${ISSUER}/api/oauth/token`,
    jwksUri: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    introspectionEndpoint: `${ISSUER}/api/oauth/introspect`,
  };
  sign = (claims, typ = "at+jwt") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", typ, kid: "k1" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
  // The snippet as a developer pastes it into a module of their own; only "jose" is resolved here.
  const jose = pathToFileURL(createRequire(import.meta.url).resolve("jose")).href;
  const code = verifySnippet(endpoints, IDENTIFIER, "orders.read").replace('from "jose"', `from "${jose}"`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-snippet-"));
  const file = path.join(dir, "verify.mjs");
  fs.writeFileSync(file, code);
  const pasted = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    verifyAccessToken: typeof verify;
    hasScope: typeof hasScope;
  };
  verify = pasted.verifyAccessToken;
  hasScope = pasted.hasScope;
});

afterAll(() => {
  server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the Node (jose) snippet", () => {
  it("accepts an access token for this API and reads its scopes", async () => {
    const token = await sign({ iss: ISSUER, aud: IDENTIFIER, sub: "cli_1", scope: "orders.read" });
    const payload = await verify(token);
    expect(payload.sub).toBe("cli_1");
    expect(hasScope(payload, "orders.read")).toBe(true);
    expect(hasScope(payload, "orders.write")).toBe(false);
  });

  it.each([
    ["another API's audience", { iss: ISSUER, aud: "https://billing.example.test/" }, "at+jwt"],
    ["another issuer", { iss: "https://evil.example.test", aud: IDENTIFIER }, "at+jwt"],
    ["an ID token or other JWT (typ)", { iss: ISSUER, aud: IDENTIFIER }, "JWT"],
  ])("refuses a token with %s", async (_case, claims, typ) => {
    await expect(
      verify(await sign({ ...claims, sub: "cli_1", scope: "orders.read" }, typ)),
    ).rejects.toThrow();
  });
});

describe("the curl snippets", () => {
  it("ask for a token for this API by its identifier (RFC 8707) and introspect at the endpoint", () => {
    const token = tokenSnippet(endpoints, IDENTIFIER, ["orders.read", "orders.write"]);
    expect(token).toContain(`--data-urlencode resource='${IDENTIFIER}'`);
    expect(token).toContain(`--data-urlencode scope='orders.read orders.write'`);
    expect(token).toContain(`'${endpoints.tokenEndpoint}'`);
    expect(introspectionSnippet(endpoints, IDENTIFIER)).toContain(`'${endpoints.introspectionEndpoint}'`);
  });

  it("quote an identifier so the shell cannot read it as code", () => {
    const hostile = "https://x.example.test/'$(touch pwned)'";
    expect(tokenSnippet(endpoints, hostile, [])).toContain(
      `resource='https://x.example.test/'\\''$(touch pwned)'\\'''`,
    );
  });
});
