import { afterEach, describe, expect, it, vi } from "vitest";

import { POST as inviteRoute } from "../../app/api/v1/users/route.ts";
import { mintTestToken } from "../../test/credentials.ts";
import { makePrincipal, strongPassword, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { resolveSession } from "../auth/sessions.ts";
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

// Guarantee (ASVS 7.5.1; no laundering): an invitation link is a takeover of the new account, so
// only a signed-in person under step-up gets one. A stale session is asked to confirm it is them;
// a bearer credential is refused with session_required and never sees a link.
describe("who may issue an invitation", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const later = (minutes: number) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + minutes * 60_000);
  };

  it("a stale administrator session can neither invite nor resend", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pending = await inviteUser({
      actor: principal,
      email: `stale-${Date.now()}@example.test`,
      name: "Pending",
      roleIds: [],
      context,
    });
    later(11);
    const stale = (await resolveSession(principal.sessionId)) ?? principal;
    const email = `attacker-${Date.now()}@example.test`;
    expect(
      await failure(
        inviteUser({
          actor: stale,
          email,
          name: "Attacker",
          roleIds: [await builtInRoleId(db, "admin")],
          context,
        }),
      ),
    ).toMatchObject({ code: "step_up_required" });
    expect(await db.user.findUnique({ where: { email } })).toBeNull();
    expect(await failure(resendInvitation({ actor: stale, userId: pending.userId, context }))).toMatchObject({
      code: "step_up_required",
    });
    expect(await db.oneTimeCode.count({ where: { userId: pending.userId, purpose: "invitation" } })).toBe(1);
  });

  it("a personal token gets session_required from the domain and the API, and no link", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pending = await inviteUser({
      actor: principal,
      email: `tok-${Date.now()}@example.test`,
      name: "Pending",
      roleIds: [],
      context,
    });
    const minted = await mintTestToken(principal, ["users.write", "users.read"]);
    const email = `via-token-${Date.now()}@example.test`;
    const response = await call(inviteRoute, {
      path: "/api/v1/users",
      bearer: minted.token,
      json: { email, name: "Via token", roleIds: [] },
    });
    expect(response.status).toBe(403);
    expect(response.body.type).toBe("urn:keyward:problem:session_required");
    expect(JSON.stringify(response.body)).not.toContain("accept-invitation");
    expect(await db.user.findUnique({ where: { email } })).toBeNull();

    const tokenPrincipal = {
      kind: "token" as const,
      tokenId: minted.id,
      tokenName: "t",
      userId: principal.userId,
      email: principal.email,
      name: principal.name,
      permissions: principal.permissions,
    };
    expect(
      await failure(resendInvitation({ actor: tokenPrincipal, userId: pending.userId, context })),
    ).toMatchObject({ code: "session_required" });
    expect(
      await failure(inviteUser({ actor: tokenPrincipal, email, name: "X", roleIds: [], context })),
    ).toMatchObject({ code: "session_required" });
  });
});
