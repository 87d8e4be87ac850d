import { describe, expect, it } from "vitest";

import { clientAccessToken, developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { makePrincipal, signedInCookie, strongPassword, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveSession } from "../auth/sessions.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { newId } from "../crypto/ids.ts";
import { verifyPassword } from "../crypto/password.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { changePassword, changePasswordSchema, passwordChangeEffects } from "./change-password.ts";

const context = TEST_CONTEXT;

async function fieldOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.extra.fields?.[0]?.path;
    throw error;
  }
  return undefined;
}

describe("changing one's password", () => {
  it("needs the current password, refuses the same one, and records a wrong attempt", async () => {
    const { user, principal } = await makePrincipal([]);
    const next = strongPassword();
    const base = { actor: principal, confirm: next, endOtherSessions: true, context };
    expect(await fieldOf(changePassword({ ...base, currentPassword: "not it at all", password: next }))).toBe(
      "currentPassword",
    );
    expect(
      await fieldOf(
        changePassword({
          ...base,
          currentPassword: user.password,
          password: user.password,
          confirm: user.password,
        }),
      ),
    ).toBe("password");
    const failure = await db.auditEvent.findFirst({
      where: { action: "user.password_change_failed", targetId: user.id },
    });
    expect(failure?.outcome).toBe("failure");
    expect(
      changePasswordSchema.safeParse({ currentPassword: "x", password: next, confirm: "other" }).error
        ?.issues[0]?.path,
    ).toEqual(["confirm"]);
  });

  it("replaces the hash and, by default, ends every other session but this one", async () => {
    const { user, principal } = await makePrincipal([]);
    const other = await signedInCookie(user.id);
    const next = strongPassword();
    const result = await changePassword({
      actor: principal,
      currentPassword: user.password,
      password: next,
      confirm: next,
      endOtherSessions: true,
      context,
    });
    expect(result.endedSessions).toBe(1);
    const credential = await db.passwordCredential.findUniqueOrThrow({ where: { userId: user.id } });
    expect(await verifyPassword(credential.hash, next)).toBe(true);
    expect(await verifyPassword(credential.hash, user.password)).toBe(false);
    expect(await resolveSession(other.sessionId)).toBeNull();
    expect(await resolveSession(principal.sessionId)).not.toBeNull();
  });

  it("keeps other sessions when asked to", async () => {
    const { user, principal } = await makePrincipal([]);
    const other = await signedInCookie(user.id);
    const next = strongPassword();
    const result = await changePassword({
      actor: principal,
      currentPassword: user.password,
      password: next,
      confirm: next,
      endOtherSessions: false,
      context,
    });
    expect(result.endedSessions).toBe(0);
    expect(await resolveSession(other.sessionId)).not.toBeNull();
  });

  // Guarantee: a password changed because it leaked also locks out whatever the thief minted with
  // it (personal tokens) and any sign-in they had half done; the API clients the user owns stay.
  it("by default revokes the personal tokens (audited), keeps the API clients, and ends half-done sign-ins", async () => {
    const { user, principal } = await developerWith([]);
    const { token } = await mintTestToken(principal, ["tokens.create"]);
    const client = await makeTestClient(principal, ["clients.write"]);
    expect(await passwordChangeEffects(principal)).toEqual({
      activeTokens: 1,
      clients: [{ id: expect.any(String), name: expect.any(String) }],
    });
    // A thief with the old password stopped at the second step (the user has an authenticator).
    await db.totpFactor.create({
      data: {
        id: newId("totp"),
        userId: user.id,
        name: "Phone",
        secretEnc: "unused",
        activatedAt: new Date(),
      },
    });
    const halfDone = await startPasswordSignIn({ email: user.email, password: user.password, context });
    expect(halfDone.next).toBe("mfa");
    const next = strongPassword();
    const result = await changePassword({
      actor: principal,
      currentPassword: user.password,
      password: next,
      confirm: next,
      endOtherSessions: true,
      context,
    });
    expect(result.revokedTokens).toBe(1);
    expect(await verifyPersonalToken(token)).toBeNull();
    expect(await db.signInAttempt.count({ where: { userId: user.id } })).toBe(0);
    expect(await clientAccessToken(client.clientId, client.clientSecret)).toMatch(/^ey/);
    const revoked = await db.auditEvent.findFirst({ where: { action: "token.revoked", actorId: user.id } });
    expect(revoked?.details).toMatchObject({ reason: "password_changed" });
    const changed = await db.auditEvent.findFirst({
      where: { action: "user.password_changed", targetId: user.id },
    });
    expect(changed?.details).toMatchObject({ revokedTokens: 1 });
    expect(await passwordChangeEffects(principal)).toMatchObject({ activeTokens: 0 });
  });

  it("keeps the personal tokens when the user unticks it, and the form's schema revokes them unless told", async () => {
    const { user, principal } = await developerWith([]);
    const { token } = await mintTestToken(principal, ["tokens.create"]);
    const next = strongPassword();
    const input = changePasswordSchema.parse({
      currentPassword: user.password,
      password: next,
      confirm: next,
    });
    expect(input.revokeTokens).toBe(true);
    const result = await changePassword({ ...input, revokeTokens: false, actor: principal, context });
    expect(result.revokedTokens).toBe(0);
    expect(await verifyPersonalToken(token)).not.toBeNull();
  });
});
