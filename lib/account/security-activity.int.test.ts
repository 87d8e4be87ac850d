import { generate } from "otplib";
import { afterEach, describe, expect, it } from "vitest";

import {
  makePrincipal,
  makeUser,
  signedInCookie,
  strongPassword,
  TEST_CONTEXT,
} from "../../test/factories.ts";
import { startMailbox } from "../../test/mailbox.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "../mfa/enroll-totp.ts";
import { removeFactor } from "../mfa/manage-factors.ts";
import { resetUserMfa } from "../mfa/reset-user-mfa.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { updateUser } from "../users/manage-user.ts";
import { changePassword } from "../users/change-password.ts";
import { assignRole, removeRole } from "../users/role-assignments.ts";
import { recentSecurityActivity } from "./security-activity.ts";
import { isNewBrowser, settleAccountNotices } from "./security-notices.ts";

const context = TEST_CONTEXT;
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
const bodyOf = (raw: string) =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=40/g, "@")
    .replace(/=3D/g, "=");

async function addTotp(actor: UserPrincipal, name = "Phone") {
  const enrollment = await startTotpEnrollment({ actor, name });
  await confirmTotpEnrollment({
    actor,
    factorId: enrollment.factorId,
    code: await generate({ secret: enrollment.secret, epoch: Math.floor(Date.now() / 1000) }),
    context,
  });
  return enrollment.factorId;
}

/** A user whose browser ("vitest") has signed in before: a second session from the same browser. */
async function knownBrowserPrincipal() {
  const user = await makeUser();
  await signedInCookie(user.id);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const { sessionId } = await signedInCookie(user.id);
  const principal = await resolveSession(sessionId);
  if (!principal) throw new Error("no session");
  return { user, principal };
}

// Guarantee: users hear about changes to their account: the Security page lists them with who made
// each, and with SMTP a mail goes out for each change someone else made, or made from a new browser.
describe("recent security activity", () => {
  it("lists the account's own events, newest first, with the administrator's name", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { principal: owner } = await makePrincipal();
    const bystander = await makePrincipal();
    await addTotp(bystander.principal);

    const factorId = await addTotp(owner, "Work phone");
    await assignRole({
      actor: admin,
      userId: owner.userId,
      roleId: await builtInRoleId(db, "auditor"),
      context,
    });
    await updateUser({
      actor: admin,
      userId: owner.userId,
      name: owner.name,
      email: `moved-${Date.now()}@example.test`,
      context,
    });
    const fresh = (await resolveSession(owner.sessionId)) ?? owner;
    await removeFactor({ actor: fresh, factorId, context });
    await resetUserMfa({ actor: admin, userId: owner.userId, context });

    const items = await recentSecurityActivity(owner);
    expect(items.map((item) => [item.title, item.by])).toEqual([
      ["Second factors reset", admin.name],
      ["Authenticator app removed", "You"],
      ["Email changed", admin.name],
      ["Role added", admin.name],
      ["New recovery codes created", "You"],
      ["Authenticator app added", "You"],
    ]);
    expect(items[3]?.detail).toBe("Auditor");
    expect(items[5]?.detail).toBe("“Work phone”");
    expect(items.every((item) => item.at instanceof Date)).toBe(true);
    // Nothing of anyone else's account.
    expect((await recentSecurityActivity(bystander.principal)).map((i) => i.title)).toEqual([
      "New recovery codes created",
      "Authenticator app added",
    ]);
  });

  it("a browser is new until it has signed in to the account before, and a replayed cookie is new", async () => {
    const user = await makeUser();
    const first = await signedInCookie(user.id);
    expect(await isNewBrowser(first.sessionId, user.id, context)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await signedInCookie(user.id);
    expect(await isNewBrowser(second.sessionId, user.id, context)).toBe(false);
    expect(await isNewBrowser(second.sessionId, user.id, { ...context, userAgent: "curl/8" })).toBe(true);
  });
});

describe("account notices by mail", () => {
  it("tells the user about a change someone else made, naming them; not about their own from a known browser", async () => {
    const mailbox = await withMailbox();
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await knownBrowserPrincipal();

    await addTotp(principal);
    await settleAccountNotices();
    expect(mailbox.received.filter((m) => m.to.includes(user.email))).toHaveLength(0);

    await resetUserMfa({ actor: admin, userId: user.id, context });
    await settleAccountNotices();
    const notices = mailbox.received.filter((m) => m.to.includes(user.email));
    expect(notices).toHaveLength(1);
    const text = bodyOf(notices[0]?.raw ?? "");
    expect(text).toContain("Second factors reset");
    expect(text).toContain(admin.name);
    expect(text).not.toMatch(/https?:\/\/\S+#/);
    // The administrator's address is not the user's to see.
    expect(text).not.toContain(context.ip);
  });

  it("tells the user about their own change from a browser new to the account", async () => {
    const mailbox = await withMailbox();
    const { user, principal } = await makePrincipal();
    await addTotp(principal);
    await settleAccountNotices();
    const notices = mailbox.received.filter((m) => m.to.includes(user.email));
    expect(notices).toHaveLength(1);
    const text = bodyOf(notices[0]?.raw ?? "");
    expect(text).toContain("Authenticator app added");
    expect(text).toContain("browser not used on your account before");
    expect(text).toContain(`IP address ${context.ip}`);
  });

  it("tells the user about roles someone else gave or took, and a password change from a new browser", async () => {
    const mailbox = await withMailbox();
    const { principal: admin } = await makePrincipal(["admin"]);
    const password = strongPassword();
    const user = await makeUser({ password });
    const roleId = await builtInRoleId(db, "auditor");
    await assignRole({ actor: admin, userId: user.id, roleId, context });
    await removeRole({ actor: admin, userId: user.id, roleId, context });
    const { sessionId } = await signedInCookie(user.id);
    const principal = await resolveSession(sessionId);
    if (!principal) throw new Error("no session");
    await changePassword({
      actor: principal,
      currentPassword: password,
      password: strongPassword(),
      confirm: "",
      endOtherSessions: true,
      context,
    });
    await settleAccountNotices();
    const texts = mailbox.received.filter((m) => m.to.includes(user.email)).map((m) => bodyOf(m.raw));
    expect(texts).toHaveLength(3);
    expect(texts.find((text) => text.includes("Role added"))).toContain("Auditor");
    expect(texts.find((text) => text.includes("Role removed"))).toContain(admin.name);
    expect(texts.find((text) => text.includes("Password changed"))).toContain(
      "browser not used on your account before",
    );
  });

  it("without SMTP nothing is sent and the change goes through", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user } = await makePrincipal();
    await resetUserMfa({ actor: admin, userId: user.id, context });
    await settleAccountNotices();
    expect(await db.auditEvent.count({ where: { action: "mfa.reset", targetId: user.id } })).toBe(1);
  });
});
