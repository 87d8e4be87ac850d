import { afterEach, describe, expect, it, vi } from "vitest";

import { mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, makeUser, present, TEST_CONTEXT } from "../../test/factories.ts";
import { BOUNCE_DOMAIN, startMailbox } from "../../test/mailbox.ts";
import { settleAccountNotices } from "../account/security-notices.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { updateUser } from "./manage-user.ts";

const context = TEST_CONTEXT;
let stopMailbox: (() => Promise<void>) | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await settleAccountNotices();
  await stopMailbox?.();
  stopMailbox = undefined;
});
const later = (minutes: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + minutes * 60_000);
};
/** The text of a message, quoted-printable soft breaks undone. */
const bodyOf = (raw: string) =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=40/g, "@")
    .replace(/=3D/g, "=");

// Guarantee (ASVS 7.5.1): pointing an account at another mailbox is a change to how it proves
// itself ("Forgot your password?" goes there): it needs a recent sign-in, and the old address is told.
describe("changing a user's email", () => {
  it("a stale session cannot change anyone's email, its own included; a rename still works", async () => {
    const { principal, user: admin } = await makePrincipal(["admin"]);
    const target = await makeUser();
    later(11);
    const stale = (await resolveSession(principal.sessionId)) ?? principal;
    const attacker = `attacker-${Date.now()}@example.test`;
    expect(
      await codeOf(updateUser({ actor: stale, userId: target.id, name: "T", email: attacker, context })),
    ).toBe("step_up_required");
    expect(
      await codeOf(updateUser({ actor: stale, userId: admin.id, name: "Me", email: attacker, context })),
    ).toBe("step_up_required");
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).email).toBe(target.email);
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).email).toBe(admin.email);

    // Only the name: nothing about signing in changes, so no prompt.
    expect(
      await codeOf(
        updateUser({ actor: stale, userId: target.id, name: "Renamed", email: target.email, context }),
      ),
    ).toBe("ok");
  });

  it("an API credential cannot point an account at another mailbox (a reset link would follow); it can rename", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const target = await makeUser();
    const token = present(await verifyPersonalToken((await mintTestToken(principal, ["users.write"])).token));
    const attacker = `attacker-${Date.now()}@example.test`;
    expect(
      await codeOf(updateUser({ actor: token, userId: target.id, name: "T", email: attacker, context })),
    ).toBe("session_required");
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).email).toBe(target.email);
    expect(
      await codeOf(
        updateUser({ actor: token, userId: target.id, name: "Renamed", email: target.email, context }),
      ),
    ).toBe("ok");
  });

  it("with SMTP, the old address is told (no link, no secret), after the change is saved", async () => {
    const mailbox = await startMailbox();
    stopMailbox = mailbox.stop;
    const { principal } = await makePrincipal(["admin"]);
    const target = await makeUser();
    const next = `new-${Date.now()}@example.test`;
    await updateUser({ actor: principal, userId: target.id, name: "Target", email: next, context });
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).email).toBe(next);

    await settleAccountNotices();
    const old = mailbox.received.find((m) => m.to.includes(target.email));
    expect(old, "a message to the old address").toBeDefined();
    const text = bodyOf(old?.raw ?? "");
    expect(text).toContain(next);
    expect(text).toContain(principal.name);
    expect(text).not.toMatch(/https?:\/\/\S+#/);
    expect(text).not.toMatch(/accept-invitation|reset-password/);
    // Someone else made the change: the account's (new) address hears of it too, naming them.
    const notice = mailbox.received.find((m) => m.to.includes(next));
    expect(bodyOf(notice?.raw ?? "")).toContain("Email changed");
    expect(bodyOf(notice?.raw ?? "")).toContain(principal.name);
  });

  it("a mail server that refuses the old address does not undo or fail the change", async () => {
    const mailbox = await startMailbox();
    stopMailbox = mailbox.stop;
    const { principal } = await makePrincipal(["admin"]);
    const target = await makeUser();
    await updateUser({
      actor: principal,
      userId: target.id,
      name: "Bounced",
      email: `gone-${Date.now()}@${BOUNCE_DOMAIN}`,
      context,
    });
    const bounced = `back-${Date.now()}@example.test`;
    await db.user.update({ where: { id: target.id }, data: { email: `old-${Date.now()}@${BOUNCE_DOMAIN}` } });
    expect(
      await codeOf(updateUser({ actor: principal, userId: target.id, name: "B", email: bounced, context })),
    ).toBe("ok");
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).email).toBe(bounced);
  });
});
