import { afterEach, describe, expect, it } from "vitest";

import { GET as listRoute } from "../../app/api/v1/users/route.ts";
import { GET as userRoute } from "../../app/api/v1/users/[userId]/route.ts";
import { mintTestToken } from "../../test/credentials.ts";
import { makePrincipal, makeUser, strongPassword, TEST_CONTEXT } from "../../test/factories.ts";
import { BOUNCE_DOMAIN, linkIn, startMailbox } from "../../test/mailbox.ts";
import { call } from "../../test/requests.ts";
import { settleAccountNotices } from "../account/security-notices.ts";
import { db } from "../db/client.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { acceptInvitation } from "./accept-invitation.ts";
import { emailVerified } from "./email-verification.ts";
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
