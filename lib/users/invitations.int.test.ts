import { describe, expect, it } from "vitest";

import { makePrincipal, strongPassword, TEST_CONTEXT } from "../../test/factories.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { acceptInvitation } from "./accept-invitation.ts";
import { inviteUser, resendInvitation, revokeInvitation } from "./invitations.ts";

const context = TEST_CONTEXT;
const codeOf = (link: string) => new URL(link).hash.slice(1);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  );

// Guarantee: an invitee, and only the holder of the latest link, chooses their own password, once.
describe("invitations", () => {
  it("creates an invited user whose link sets a password once, then they can sign in", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const email = `invitee-${Date.now()}@example.test`;
    const invitation = await inviteUser({
      actor: principal,
      email,
      name: "Invitee",
      roleIds: [await builtInRoleId(db, "member")],
      context,
    });
    expect(invitation.link).toMatch(/^http:\/\/localhost:3000\/accept-invitation#[\w-]{43}$/);
    const user = await db.user.findUniqueOrThrow({ where: { email }, include: { password: true } });
    expect(user.status).toBe("invited");
    expect(user.password).toBeNull();

    const weak = await failure(
      acceptInvitation({ code: codeOf(invitation.link), password: "qwerty123456", context }),
    );
    expect(weak?.extra.fields?.[0]?.path).toBe("password");

    const password = strongPassword();
    expect(await acceptInvitation({ code: codeOf(invitation.link), password, context })).toEqual({ email });
    expect((await db.user.findUniqueOrThrow({ where: { email } })).status).toBe("active");
    expect((await startPasswordSignIn({ email, password, context })).next).toBe("complete");

    const again = await failure(acceptInvitation({ code: codeOf(invitation.link), password, context }));
    expect(again?.message).toContain("already been used");
    expect(await failure(resendInvitation({ actor: principal, userId: user.id, context }))).toMatchObject({
      code: "conflict",
    });
  });

  it("a resent link replaces the old one, and a revoked link works no more", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const first = await inviteUser({
      actor: principal,
      email: `r-${Date.now()}@example.test`,
      name: "R",
      roleIds: [],
      context,
    });
    const second = await resendInvitation({ actor: principal, userId: first.userId, context });
    expect(
      (await failure(acceptInvitation({ code: codeOf(first.link), password: strongPassword(), context })))
        ?.code,
    ).toBe("invalid");
    await revokeInvitation({ actor: principal, userId: first.userId, context });
    expect(
      (await failure(acceptInvitation({ code: codeOf(second.link), password: strongPassword(), context })))
        ?.code,
    ).toBe("invalid");
    expect(
      await db.auditEvent.count({
        where: { targetId: first.userId, action: { startsWith: "user.invitation" } },
      }),
    ).toBe(2);
  });

  it("refuses a duplicate email with a clear conflict and writes nothing", async () => {
    const { principal, user } = await makePrincipal(["admin"]);
    const before = await db.user.count();
    expect(
      await failure(inviteUser({ actor: principal, email: user.email, name: "Dup", roleIds: [], context })),
    ).toMatchObject({
      code: "conflict",
      message: "A user with this email address already exists.",
    });
    expect(
      await failure(
        inviteUser({
          actor: principal,
          email: "x@example.test",
          name: "X",
          roleIds: ["rol_doesnotexist"],
          context,
        }),
      ),
    ).toMatchObject({
      code: "not_found",
    });
    expect(await db.user.count()).toBe(before);
  });
});
