import { afterEach, describe, expect, it } from "vitest";

import { sendEmailVerificationAction } from "../../app/(app)/account/actions.ts";
import { GET as listRoute } from "../../app/api/v1/users/route.ts";
import { GET as userRoute } from "../../app/api/v1/users/[userId]/route.ts";
import { verifyEmailAction } from "../../app/verify-email/actions.ts";
import { mintTestToken } from "../../test/credentials.ts";
import {
  codeOf as errorCodeOf,
  makePrincipal,
  makeUser,
  signedInCookie,
  strongPassword,
  TEST_CONTEXT,
} from "../../test/factories.ts";
import { BOUNCE_DOMAIN, linkIn, startMailbox } from "../../test/mailbox.ts";
import { call } from "../../test/requests.ts";
import { settleAccountNotices } from "../account/security-notices.ts";
import type { TokenPrincipal } from "../auth/principal.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import type { ActionRequest } from "../http/action.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { acceptInvitation } from "./accept-invitation.ts";
import {
  emailVerified,
  sendEmailVerification,
  VERIFICATION_SEND_PER_USER,
  verifyEmail,
} from "./email-verification.ts";
import { inviteUser } from "./invitations.ts";
import { updateUser } from "./manage-user.ts";
import { completePasswordReset, issuePasswordReset, requestPasswordReset } from "./password-reset.ts";

const codeOf = (link: string) => new URL(link).hash.slice(1);
const verifiedAt = async (userId: string) =>
  (await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt;
/** Each test asks for links from its own address, clear of the per-address request limit. */
const from = (n: number) => ({ ...TEST_CONTEXT, ip: `198.51.100.${140 + n}` });

let stopMailbox: (() => Promise<void>) | undefined;
afterEach(async () => {
  await settleAccountNotices();
  await stopMailbox?.();
  stopMailbox = undefined;
});
async function withMailbox() {
  const mailbox = await startMailbox();
  stopMailbox = mailbox.stop;
  return mailbox;
}

/** The first message with this subject the mail server received after the first `before` ones. */
async function mailed(mailbox: Awaited<ReturnType<typeof withMailbox>>, subject: string, before: number) {
  for (let i = before + 1; ; i++) {
    const mail = await mailbox.nth(i);
    if (mail.raw.includes(subject)) return mail;
  }
}

/** "Verify your email" as this signed-in user, and the code of the link the mail server received. */
async function mailedVerificationLink(
  mailbox: Awaited<ReturnType<typeof withMailbox>>,
  principal: Awaited<ReturnType<typeof makePrincipal>>["principal"],
) {
  const before = mailbox.received.length;
  await sendEmailVerification({ actor: principal, context: TEST_CONTEXT });
  const mail = await mailed(mailbox, "Verify your Keyward email address", before);
  expect(mail.to).toEqual([principal.email]);
  return codeOf(linkIn(mail));
}

/** What a refused call threw. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

/** "Forgot your password?" for this account, and the link the mail server received (not a notice). */
async function mailedResetLink(mailbox: Awaited<ReturnType<typeof withMailbox>>, email: string, n: number) {
  const before = mailbox.received.length;
  await requestPasswordReset({ email, context: from(n) });
  for (let i = before + 1; ; i++) {
    const mail = await mailbox.nth(i);
    if (mail.raw.includes("Reset your Keyward password")) return codeOf(linkIn(mail));
  }
}

// Guarantee (issue 15): an address counts as verified only once a link Keyward itself mailed there
// was used; a link an administrator saw proves nothing, and a new address starts unproven.
describe("email verification", () => {
  it("using a reset link mailed by 'Forgot your password?' verifies the address, in the reset's audit event", async () => {
    const mailbox = await withMailbox();
    const user = await makeUser();
    expect(emailVerified({ emailVerifiedAt: await verifiedAt(user.id) })).toBe(false);

    const code = await mailedResetLink(mailbox, user.email, 1);
    await completePasswordReset({ code, password: strongPassword(), context: from(1) });

    const at = await verifiedAt(user.id);
    expect(at).toBeInstanceOf(Date);
    expect(emailVerified({ emailVerifiedAt: at })).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "user.password_reset", targetId: user.id },
    });
    expect(event.details).toMatchObject({ emailVerified: true });
  });

  it("a reset link shown to an administrator proves nothing about the mailbox", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const user = await makeUser();
    const reset = await issuePasswordReset({ actor: principal, userId: user.id, context: TEST_CONTEXT });
    if (reset.delivery !== "shown") throw new Error("expected the link to be shown (no SMTP)");
    const row = await db.oneTimeCode.findFirstOrThrow({
      where: { userId: user.id, purpose: "password_reset" },
    });
    expect(row.sentTo).toBeNull();
    await completePasswordReset({ code: codeOf(reset.link), password: strongPassword(), context: from(2) });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("an administrator's reset link that Keyward mailed to the user proves the address, as the row records", async () => {
    const mailbox = await withMailbox();
    const { principal } = await makePrincipal(["user_manager"]);
    const user = await makeUser();
    const before = mailbox.received.length;
    const reset = await issuePasswordReset({ actor: principal, userId: user.id, context: TEST_CONTEXT });
    expect(reset.delivery).toBe("email");
    const row = await db.oneTimeCode.findFirstOrThrow({
      where: { userId: user.id, purpose: "password_reset", usedAt: null, revokedAt: null },
    });
    expect(row.sentTo).toBe(user.email);
    expect(row.createdBy).toBe(principal.userId);
    const code = codeOf(linkIn(await mailed(mailbox, "Reset your Keyward password", before)));
    await completePasswordReset({ code, password: strongPassword(), context: from(6) });
    expect(await verifiedAt(user.id)).not.toBeNull();
  });

  it("an administrator's reset link whose mail bounced, shown to them instead, proves nothing", async () => {
    await withMailbox();
    const { principal } = await makePrincipal(["user_manager"]);
    const user = await makeUser();
    const email = `bounced-${Date.now()}@${BOUNCE_DOMAIN}`;
    await db.user.update({ where: { id: user.id }, data: { email } });
    const reset = await issuePasswordReset({ actor: principal, userId: user.id, context: TEST_CONTEXT });
    if (reset.delivery !== "shown") throw new Error("expected the bounced link to be shown");
    expect(reset.mailError).toBeDefined();
    const row = await db.oneTimeCode.findFirstOrThrow({
      where: { userId: user.id, purpose: "password_reset", usedAt: null, revokedAt: null },
    });
    expect(row.sentTo).toBeNull();
    await completePasswordReset({ code: codeOf(reset.link), password: strongPassword(), context: from(7) });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("a reset link mailed to an address the account no longer has proves nothing, even unrevoked", async () => {
    const mailbox = await withMailbox();
    const user = await makeUser();
    const code = await mailedResetLink(mailbox, user.email, 8);
    // As if the change had slipped past the revocation: the recorded address decides.
    await db.user.update({ where: { id: user.id }, data: { email: `elsewhere-${Date.now()}@example.test` } });
    await completePasswordReset({ code, password: strongPassword(), context: from(8) });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("an invitation link, which the administrator hands over, proves nothing either", async () => {
    await withMailbox();
    const { principal } = await makePrincipal(["user_manager"]);
    const email = `invitee-${Date.now()}@example.test`;
    const invitation = await inviteUser({
      actor: principal,
      email,
      name: "Invitee",
      roleIds: [await builtInRoleId(db, "member")],
      context: TEST_CONTEXT,
    });
    await acceptInvitation({ code: codeOf(invitation.link), password: strongPassword(), context: from(3) });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.status).toBe("active");
    expect(user.emailVerifiedAt).toBeNull();
  });

  it("changing the email clears the proof in the same write, and a link mailed to the old address stops working", async () => {
    const mailbox = await withMailbox();
    const { principal } = await makePrincipal(["admin"]);
    const user = await makeUser();
    await completePasswordReset({
      code: await mailedResetLink(mailbox, user.email, 4),
      password: strongPassword(),
      context: from(4),
    });
    expect(await verifiedAt(user.id)).not.toBeNull();
    // A second link, still unused, sits in the old mailbox when the address changes.
    const held = await mailedResetLink(mailbox, user.email, 4);

    // A rename alone keeps it.
    await updateUser({
      actor: principal,
      userId: user.id,
      name: "Renamed",
      email: user.email,
      context: TEST_CONTEXT,
    });
    expect(await verifiedAt(user.id)).not.toBeNull();

    const next = `moved-${Date.now()}@example.test`;
    await updateUser({
      actor: principal,
      userId: user.id,
      name: "Renamed",
      email: next,
      context: TEST_CONTEXT,
    });
    expect(await verifiedAt(user.id)).toBeNull();

    const refused = await completePasswordReset({
      code: held,
      password: strongPassword(),
      context: from(4),
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: "invalid" });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("the REST user resource and the user list say whether the address is verified", async () => {
    const mailbox = await withMailbox();
    const { principal } = await makePrincipal(["admin"]);
    const { token } = await mintTestToken(principal, ["users.read"]);
    const user = await makeUser();
    const read = async () => {
      const one = await call(userRoute, {
        path: `/api/v1/users/${user.id}`,
        params: { userId: user.id },
        bearer: token,
      });
      const list = await call(listRoute, {
        path: `/api/v1/users?q=${encodeURIComponent(user.email)}`,
        bearer: token,
      });
      expect(one.status).toBe(200);
      expect(list.status).toBe(200);
      const items = list.body.items as { id: string; emailVerified: boolean }[];
      return [one.body.emailVerified, items.find((item) => item.id === user.id)?.emailVerified];
    };
    expect(await read()).toEqual([false, false]);
    await completePasswordReset({
      code: await mailedResetLink(mailbox, user.email, 5),
      password: strongPassword(),
      context: from(5),
    });
    expect(await read()).toEqual([true, true]);
  });
});

// Guarantee (issue 15): "Verify your email" mails a one-time link to the account's own address,
// only at a signed-in person's request; using it once verifies that address, and nothing else does:
// not a second use, an expired or replaced link, nor one mailed to an address the account left.
describe("verify your email", () => {
  it("mails a link that verifies the address once, audited without the secret", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    const code = await mailedVerificationLink(mailbox, principal);

    const row = await db.oneTimeCode.findFirstOrThrow({
      where: { userId: user.id, purpose: "email_verification" },
    });
    expect(row.sentTo).toBe(user.email);
    expect(row.codeHash).not.toContain(code);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(23 * 3_600_000);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(24 * 3_600_000 + 1_000);
    expect(await verifiedAt(user.id)).toBeNull();

    // Signed out: the link alone is the proof.
    expect(await verifyEmail({ code, context: from(10) })).toEqual({ email: user.email });
    expect(await verifiedAt(user.id)).toBeInstanceOf(Date);

    const again = await failure(verifyEmail({ code, context: from(10) }));
    expect(again).toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/already been used.*My account/),
    });

    const events = await db.auditEvent.findMany({
      where: { targetId: user.id, action: { in: ["user.email_verification_sent", "user.email_verified"] } },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => [event.action, event.outcome])).toEqual([
      ["user.email_verification_sent", "success"],
      ["user.email_verified", "success"],
    ]);
    const failed = await db.auditEvent.findFirstOrThrow({
      where: { action: "user.email_verified", outcome: "failure", ip: from(10).ip },
      orderBy: { id: "desc" },
    });
    expect(failed.details).toMatchObject({ reason: "used" });
    const text = (value: unknown) =>
      JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `${v}` : v));
    for (const event of [...events, failed]) expect(text(event)).not.toContain(code);

    // Verified: nothing more to send.
    expect(await errorCodeOf(sendEmailVerification({ actor: principal, context: TEST_CONTEXT }))).toBe(
      "conflict",
    );
  });

  it("an expired link fails and verifies nothing", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    const code = await mailedVerificationLink(mailbox, principal);
    await db.oneTimeCode.updateMany({
      where: { userId: user.id, purpose: "email_verification" },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    expect(await failure(verifyEmail({ code, context: from(11) }))).toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/expired.*Send a new one from My account/),
    });
    expect(await verifiedAt(user.id)).toBeNull();
  });

  it("sending again revokes the earlier link: only the newest verifies", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    const first = await mailedVerificationLink(mailbox, principal);
    const second = await mailedVerificationLink(mailbox, principal);
    expect(await failure(verifyEmail({ code: first, context: from(12) }))).toMatchObject({ code: "invalid" });
    expect(await verifiedAt(user.id)).toBeNull();
    await verifyEmail({ code: second, context: from(12) });
    expect(await verifiedAt(user.id)).not.toBeNull();
  });

  it("a link stops working when the account's address changes, and cannot verify the new one", async () => {
    const mailbox = await withMailbox();
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await makePrincipal();
    const code = await mailedVerificationLink(mailbox, principal);
    await updateUser({
      actor: admin,
      userId: user.id,
      name: "Moved",
      email: `moved-${Date.now()}@example.test`,
      context: TEST_CONTEXT,
    });
    expect(await failure(verifyEmail({ code, context: from(13) }))).toMatchObject({ code: "invalid" });
    expect(await verifiedAt(user.id)).toBeNull();

    // Even if the address had moved without the revocation, the address it was mailed to decides.
    const { user: other, principal: otherPrincipal } = await makePrincipal();
    const held = await mailedVerificationLink(mailbox, otherPrincipal);
    await db.user.update({ where: { id: other.id }, data: { email: `slipped-${Date.now()}@example.test` } });
    expect(await failure(verifyEmail({ code: held, context: from(13) }))).toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/no longer has.*My account/),
    });
    expect(await verifiedAt(other.id)).toBeNull();
  });

  it("a bearer credential never gets a link sent, whatever it holds", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal(["admin"]);
    const minted = await mintTestToken(principal, ["users.write", "users.read"]);
    const tokenPrincipal: TokenPrincipal = {
      kind: "token",
      tokenId: minted.id,
      tokenName: "t",
      userId: principal.userId,
      email: principal.email,
      name: principal.name,
      permissions: principal.permissions,
    };
    expect(await errorCodeOf(sendEmailVerification({ actor: tokenPrincipal, context: TEST_CONTEXT }))).toBe(
      "session_required",
    );
    expect(await db.oneTimeCode.count({ where: { userId: user.id, purpose: "email_verification" } })).toBe(0);
    expect(mailbox.received).toHaveLength(0);
  });

  it("is limited per account: a fourth link within the hour is refused", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    for (let i = 0; i < VERIFICATION_SEND_PER_USER.points; i++)
      await mailedVerificationLink(mailbox, principal);
    const sent = mailbox.received.length;
    expect(await errorCodeOf(sendEmailVerification({ actor: principal, context: TEST_CONTEXT }))).toBe(
      "rate_limited",
    );
    expect(mailbox.received).toHaveLength(sent);
    expect(await db.oneTimeCode.count({ where: { userId: user.id, purpose: "email_verification" } })).toBe(
      VERIFICATION_SEND_PER_USER.points,
    );
  });

  it("when the mail cannot go, the link is revoked and the failure is on the record", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    const email = `bounced-${Date.now()}@${BOUNCE_DOMAIN}`;
    await db.user.update({ where: { id: user.id }, data: { email } });
    expect(
      await errorCodeOf(sendEmailVerification({ actor: { ...principal, email }, context: TEST_CONTEXT })),
    ).toBe("unavailable");
    expect(mailbox.received).toHaveLength(0);
    const row = await db.oneTimeCode.findFirstOrThrow({
      where: { userId: user.id, purpose: "email_verification" },
    });
    expect(row.revokedAt).not.toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "user.email_verification_sent", targetId: user.id, outcome: "failure" },
    });
    expect(event.details).toMatchObject({ reason: "mail_failed" });
  });

  it("without a mail server there is nothing to send", async () => {
    const { principal } = await makePrincipal();
    expect(await errorCodeOf(sendEmailVerification({ actor: principal, context: TEST_CONTEXT }))).toBe(
      "conflict",
    );
  });

  it("the My account button and the link's Verify button do it through the real server actions", async () => {
    const mailbox = await withMailbox();
    const user = await makeUser();
    const { cookie, sessionId } = await signedInCookie(user.id);
    const [name, value] = cookie.split("=", 2) as [string, string];
    const request = (signedIn: boolean): ActionRequest => ({
      headers: new Headers({ "x-keyward-peer": from(14).ip, "user-agent": "vitest" }),
      cookies: { get: (key) => (signedIn && key === name ? { value } : undefined) },
    });
    expect(await resolveSession(sessionId)).not.toBeNull();

    const before = mailbox.received.length;
    const sent = await sendEmailVerificationAction.run(request(true), new FormData());
    expect(sent.state).toMatchObject({ status: "ok", message: expect.stringContaining(user.email) });
    const code = codeOf(linkIn(await mailed(mailbox, "Verify your Keyward email address", before)));

    const form = new FormData();
    form.append("code", code);
    const verified = await verifyEmailAction.run(request(false), form);
    expect(verified.state).toMatchObject({
      status: "ok",
      message: expect.stringMatching(/^Your email address is verified/),
    });
    expect(await verifiedAt(user.id)).not.toBeNull();
    const reused = await verifyEmailAction.run(request(false), form);
    expect(reused.state).toMatchObject({ status: "error", code: "invalid" });
  });
});
