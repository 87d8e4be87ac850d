import { describe, expect, it } from "vitest";

import { makePrincipal, signedInCookie, strongPassword, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveSession } from "../auth/sessions.ts";
import { verifyPassword } from "../crypto/password.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { changePassword, changePasswordSchema } from "./change-password.ts";

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
});
