import { describe, expect, it } from "vitest";

import { makePrincipal, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { POST as registerRoute } from "../../app/api/account/passkeys/register/route.ts";
import { POST as optionsRoute } from "../../app/api/account/passkeys/options/route.ts";
import { POST as passkeyVerifyRoute } from "../../app/api/auth/passkey/verify/route.ts";
import { POST as passkeyOptionsRoute } from "../../app/api/auth/passkey/options/route.ts";
import { signedInCookie } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { registerPasskey } from "./webauthn-register.ts";
import { registrationResponseSchema } from "./webauthn-schemas.ts";

const fakeRegistration = {
  id: "AAAA",
  rawId: "AAAA",
  type: "public-key",
  clientExtensionResults: {},
  response: { clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0", attestationObject: "o2NmbXRkbm9uZQ" },
} as const;

// Guarantee: malformed WebAuthn responses and missing or reused challenges get clear 4xx errors, never a 500.
describe("passkey ceremonies", () => {
  it("issues registration options with a challenge that works once", async () => {
    const { user } = await makePrincipal();
    const { cookie } = await signedInCookie(user.id);
    const options = await call(optionsRoute, { method: "POST", cookie });
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({
      rp: { id: "localhost", name: "Keyward" },
      authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    });
    expect(await db.webAuthnChallenge.count({ where: { userId: user.id, purpose: "registration" } })).toBe(1);

    // A forged response spends the challenge and is refused as invalid.
    const forged = await call(registerRoute, { cookie, json: { name: "Key", response: fakeRegistration } });
    expect(forged.status).toBe(400);
    expect(await db.webAuthnChallenge.count({ where: { userId: user.id } })).toBe(0);
    const again = await call(registerRoute, { cookie, json: { name: "Key", response: fakeRegistration } });
    expect(again.status).toBe(400);
    expect(String(again.body.detail)).toContain("expired or was already used");
  });

  it("rejects malformed bodies with 400 problems", async () => {
    const { user } = await makePrincipal();
    const { cookie } = await signedInCookie(user.id);
    for (const json of [
      {},
      { response: {} },
      { name: "x", response: { ...fakeRegistration, type: "password" } },
      { name: "x", response: { ...fakeRegistration, id: "not base64url!" } },
      { name: "x".repeat(61), response: fakeRegistration },
    ]) {
      const response = await call(registerRoute, { cookie, json });
      expect(response.status, JSON.stringify(json).slice(0, 60)).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(
      registrationResponseSchema.safeParse({ ...fakeRegistration, rawId: "x".repeat(20_000) }).success,
    ).toBe(false);
  });

  it("expired challenges are refused", async () => {
    const { principal } = await makePrincipal();
    await call(optionsRoute, { method: "POST", cookie: (await signedInCookie(principal.userId)).cookie });
    await db.webAuthnChallenge.updateMany({
      where: { userId: principal.userId },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const error = await registerPasskey({
      actor: principal,
      name: "Key",
      response: registrationResponseSchema.parse(fakeRegistration),
      context: TEST_CONTEXT,
    }).then(
      () => null,
      (e: AppError) => e,
    );
    expect(error?.code).toBe("invalid");
  });

  it("passwordless: a challenge is bound to the browser by cookie; without it, or with a forged assertion, no attempt", async () => {
    const options = await call(passkeyOptionsRoute, { method: "POST" });
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({
      rpId: "localhost",
      userVerification: "required",
      allowCredentials: [],
    });
    const cookie = (options.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^kw_passkey=wch_/);
    const assertion = {
      id: "AAAA",
      rawId: "AAAA",
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: "AA", authenticatorData: "AA", signature: "AA" },
    };
    expect((await call(passkeyVerifyRoute, { json: { response: assertion } })).status).toBe(401);
    const forged = await call(passkeyVerifyRoute, { json: { response: assertion }, cookie });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("set-cookie")).toBeNull();
  });
});
