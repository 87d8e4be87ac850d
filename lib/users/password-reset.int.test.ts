import { afterEach, describe, expect, it } from "vitest";

import {
  makePrincipal,
  makeUser,
  present,
  signedInCookie,
  strongPassword,
  TEST_CONTEXT,
} from "../../test/factories.ts";
import { clientAccessToken, developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { linkIn, startMailbox } from "../../test/mailbox.ts";
import { call } from "../../test/requests.ts";
import { POST as resetRoute } from "../../app/api/v1/users/[userId]/password-reset/route.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { resolveSession } from "../auth/sessions.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { requestPasswordResetAction } from "../../app/forgot-password/actions.ts";
import { completePasswordReset, issuePasswordReset, requestPasswordReset } from "./password-reset.ts";

const context = TEST_CONTEXT;
const codeOf = (link: string) => new URL(link).hash.slice(1);
const failure = (run: () => Promise<unknown>) =>
  run().then(
    () => null,
    (e: unknown) => e as AppError,
  );
let stopMailbox: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopMailbox?.();
  stopMailbox = undefined;
});

async function withMailbox() {
  const mailbox = await startMailbox();
  stopMailbox = mailbox.stop;
  return mailbox;
}

// Guarantee: only the holder of the latest link sets a new password, once; every session ends;
// the reset signs nobody in, so a second factor is still asked for.
describe("password reset", () => {
  it("without SMTP, an administrator gets a one-time link that sets the password and ends every session", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);

    const reset = await issuePasswordReset({ actor: principal, userId: user.id, context });
    if (reset.delivery !== "shown") throw new Error("expected the link to be shown");
    expect(reset.link).toMatch(/^http:\/\/localhost:3000\/reset-password#[\w-]{43}$/);

    const weak = await failure(() =>
      completePasswordReset({ code: codeOf(reset.link), password: "password1234", context }),
    );
    expect(weak?.extra.fields?.[0]?.path).toBe("password");

    const password = strongPassword();
    expect(await completePasswordReset({ code: codeOf(reset.link), password, context })).toEqual({
      email: user.email,
    });
    expect(await resolveSession(sessionId)).toBeNull();
    expect((await startPasswordSignIn({ email: user.email, password, context })).next).toBe("complete");
    expect(
      await failure(() => startPasswordSignIn({ email: user.email, password: user.password, context })),
    ).toMatchObject({
      code: "unauthenticated",
    });

    const again = await failure(() => completePasswordReset({ code: codeOf(reset.link), password, context }));
    expect(again?.message).toContain("already been used");
    const actions = await db.auditEvent.findMany({ where: { targetId: user.id }, select: { action: true } });
    expect(actions.map((event) => event.action)).toEqual(
      expect.arrayContaining(["user.password_reset_issued", "user.password_reset"]),
    );
  });

  it("a newer link replaces the older one, and a reset never skips the second factor", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const user = await makeUser();
    // An active authenticator app (its secret does not matter: no code is entered here).
    await db.totpFactor.create({
      data: {
        id: newId("totp"),
        userId: user.id,
        name: "Phone",
        secretEnc: "unused",
        activatedAt: new Date(),
      },
    });
    const first = await issuePasswordReset({ actor: principal, userId: user.id, context });
    const second = await issuePasswordReset({ actor: principal, userId: user.id, context });
    if (first.delivery !== "shown" || second.delivery !== "shown") throw new Error("expected links");
    const password = strongPassword();
    expect(
      (await failure(() => completePasswordReset({ code: codeOf(first.link), password, context })))?.message,
    ).toContain("replaced by a newer one");
    await completePasswordReset({ code: codeOf(second.link), password, context });
    expect((await startPasswordSignIn({ email: user.email, password, context })).next).toBe("mfa");
  });

  it("refuses callers without users.write, users they may not manage, and inactive users", async () => {
    const { principal: viewer } = await makePrincipal(["auditor"]);
    const { principal: manager } = await makePrincipal(["user_manager"]);
    const admin = await makeUser({ roles: ["admin"] });
    const invited = await makeUser({ status: "invited" });
    const disabled = await makeUser({ status: "disabled" });
    const target = await makeUser();
    const code = async (actor: typeof viewer, userId: string) =>
      (await failure(() => issuePasswordReset({ actor, userId, context })))?.code ?? "ok";
    expect(await code(viewer, target.id)).toBe("forbidden");
    // A User manager resetting an Administrator's password would be a takeover.
    expect(await code(manager, admin.id)).toBe("forbidden");
    expect(await code(manager, invited.id)).toBe("conflict");
    expect(await code(manager, disabled.id)).toBe("conflict");
    expect(await code(manager, "usr_doesnotexist")).toBe("not_found");
    // The link may be shown to whoever asks: only after a recent sign-in.
    expect(await code({ ...manager, authTime: new Date(Date.now() - 24 * 3600_000) }, target.id)).toBe(
      "step_up_required",
    );
    expect(
      await db.oneTimeCode.count({
        where: { userId: { in: [admin.id, invited.id, disabled.id] }, purpose: "password_reset" },
      }),
    ).toBe(0);
  });

  // Guarantee: no bearer credential receives (or has sent) a takeover link; only a signed-in person under step-up.
  it("a personal token or a client token with users.write gets 403 session_required and never a link", async () => {
    const { principal: owner } = await developerWith(["users.read", "users.write"]);
    const target = await makeUser();
    const { token } = await mintTestToken(owner, ["users.write"]);
    const client = await makeTestClient(owner, ["users.write"]);
    const accessToken = await clientAccessToken(client.clientId, client.clientSecret);
    for (const bearer of [token, accessToken]) {
      const response = await call(resetRoute, {
        method: "POST",
        path: `/api/v1/users/${target.id}/password-reset`,
        params: { userId: target.id },
        bearer,
      });
      expect(response.status).toBe(403);
      expect(response.body.type).toBe("urn:keyward:problem:session_required");
      expect(JSON.stringify(response.body)).not.toContain("reset-password");
    }
    const principal = present(await verifyPersonalToken(token));
    expect(
      (await failure(() => issuePasswordReset({ actor: principal, userId: target.id, context })))?.code,
    ).toBe("session_required");
    expect(await db.oneTimeCode.count({ where: { userId: target.id, purpose: "password_reset" } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { action: "user.password_reset_issued", targetId: target.id } }),
    ).toBe(0);
  });

  // Guarantee: a reset is a recovery from a possible compromise: whatever was minted with the old
  // password (personal tokens) stops; the API clients the user owns stay.
  it("completing a reset revokes the account's personal tokens (audited) and keeps its API clients", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await developerWith([]);
    const { token } = await mintTestToken(principal, ["tokens.create"]);
    const client = await makeTestClient(principal, ["clients.write"]);
    const reset = await issuePasswordReset({ actor: admin, userId: user.id, context });
    if (reset.delivery !== "shown") throw new Error("expected the link to be shown");
    await completePasswordReset({ code: codeOf(reset.link), password: strongPassword(), context });
    expect(await verifyPersonalToken(token)).toBeNull();
    expect(await clientAccessToken(client.clientId, client.clientSecret)).toMatch(/^ey/);
    const event = await db.auditEvent.findFirst({
      where: { action: "user.password_reset", targetId: user.id },
    });
    expect(event?.details).toMatchObject({ revokedTokens: 1 });
    expect(
      (await db.auditEvent.findFirst({ where: { action: "token.revoked", actorId: user.id } }))?.details,
    ).toMatchObject({ reason: "password_reset" });
  });

  it("with SMTP, the link is emailed to the user and never returned to the administrator", async () => {
    const mailbox = await withMailbox();
    const { principal } = await makePrincipal(["admin"]);
    const user = await makeUser();
    const reset = await issuePasswordReset({ actor: principal, userId: user.id, context });
    expect(reset).toEqual({ delivery: "email", email: user.email, expiresAt: expect.any(Date) });
    const mail = await mailbox.nth(1);
    expect(mail.to).toEqual([user.email]);
    const password = strongPassword();
    await completePasswordReset({ code: codeOf(linkIn(mail)), password, context });
    expect((await startPasswordSignIn({ email: user.email, password, context })).next).toBe("complete");
  });

  it("self-service: the same answer for known and unknown addresses; mail only to active accounts; limited per address", async () => {
    const mailbox = await withMailbox();
    const user = await makeUser();
    const stranger = `nobody-${Date.now()}@example.test`;
    // Neither call throws or returns anything that tells them apart.
    expect(await requestPasswordReset({ email: stranger, context })).toBeUndefined();
    expect(await requestPasswordReset({ email: user.email, context })).toBeUndefined();
    const mail = await mailbox.nth(1);
    expect(mail.to).toEqual([user.email]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailbox.received).toHaveLength(1);

    // Three links an hour per address; further requests are answered the same but send nothing.
    const other = { ...context, ip: "198.51.100.99" };
    // Each mail awaited before the next request: mail goes out off the request, so two in flight
    // may arrive in either order, and only the newest link works.
    await requestPasswordReset({ email: user.email, context: other });
    await mailbox.nth(2);
    await requestPasswordReset({ email: user.email, context: other });
    await mailbox.nth(3);
    expect(await requestPasswordReset({ email: user.email, context: other })).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailbox.received).toHaveLength(3);
    const password = strongPassword();
    await completePasswordReset({ code: codeOf(linkIn(present(mailbox.received[2]))), password, context });
    expect((await startPasswordSignIn({ email: user.email, password, context })).next).toBe("complete");
  });

  it("self-service through the sign-in page's form: the same message for every address, a link by mail", async () => {
    const mailbox = await withMailbox();
    const user = await makeUser();
    const submit = async (email: string) => {
      const form = new FormData();
      form.set("email", email);
      const headers = new Headers({ "x-keyward-peer": "198.51.100.77", "x-request-id": `reset-${email}` });
      return (await requestPasswordResetAction.run({ headers, cookies: { get: () => undefined } }, form))
        .state;
    };
    const known = await submit(user.email.toUpperCase());
    const unknown = await submit(`nobody-${Date.now()}@example.test`);
    expect(known).toMatchObject({ status: "ok" });
    expect(unknown).toMatchObject({ status: "ok" });
    expect(known.status === "ok" && unknown.status === "ok" && known.message === unknown.message).toBe(true);
    expect((await mailbox.nth(1)).to).toEqual([user.email]);
    expect(await submit("not an address")).toMatchObject({ status: "error", code: "invalid" });
  });

  it("self-service is refused, with advice, when no mail server is configured", async () => {
    const error = await failure(() => requestPasswordReset({ email: "a@example.test", context }));
    expect(error).toMatchObject({ code: "conflict" });
    expect(error?.message).toContain("Ask an administrator");
  });

  it("a flood of bad links from one address is throttled", async () => {
    const flood = { ...context, ip: "198.51.100.200" };
    const codes = await Promise.all(
      Array.from({ length: 25 }, () =>
        failure(() =>
          completePasswordReset({ code: "x".repeat(43), password: strongPassword(), context: flood }),
        ),
      ),
    );
    const counts = codes.reduce<Record<string, number>>(
      (acc, e) => ({ ...acc, [e?.code ?? "ok"]: (acc[e?.code ?? "ok"] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ invalid: 20, rate_limited: 5 });
  });
});
