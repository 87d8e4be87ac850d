import { noticeAccountChange, noticeEmailChanged } from "../account/security-notices.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanManageUser, assertNotLastAdmin, lockAdminGuard } from "./admin-guard.ts";
import { revokeLinksOfOldAddress } from "./email-verification.ts";
import { setUserStatus } from "./set-user-status.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

type Base = { actor: Principal; userId: string; context: RequestContext };

/**
 * Name and email. A new email is a change to how the account proves itself ("Forgot your
 * password?" sends its links there), so it needs a recent sign-in, an administrator's own
 * included (ASVS 7.5.1), and is refused to API credentials; the old address is told, and the user
 * too when someone else changed it.
 */
export async function updateUser(input: Base & { name: string; email: string }): Promise<void> {
  authorize(input.actor, "users.write");
  // Checked before the transaction: the step-up check reads through the global client, which
  // inside a transaction would wait for the only connection in embedded mode.
  const current = await db.user.findUnique({ where: { id: input.userId }, select: { email: true } });
  const newEmail = current !== null && current.email !== input.email;
  // A person under step-up only: an API credential that re-points the mailbox would receive the
  // next reset link, a credential minting a takeover link by another road (ADR 0010).
  if (newEmail) await assertFreshSession(input.actor);
  const changed = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw NotFound("user");
    await assertCanManageUser(tx, input.actor, user.id);
    if (user.email === input.email && user.name === input.name) return null;
    if (user.email !== input.email) {
      if (!newEmail) throw Conflict("This user was changed meanwhile. Reload and try again.");
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } }))
        throw Conflict("Another user already has this email address.");
    }
    const emailChanged = user.email !== input.email;
    await tx.user.update({
      where: { id: user.id },
      // A new address is unproven (issue 15), whatever the old one was.
      data: { name: input.name, email: input.email, ...(emailChanged && { emailVerifiedAt: null }) },
    });
    if (emailChanged) await revokeLinksOfOldAddress(tx, user.id);
    await credentialsChanged(tx, [`user:${user.id}`]);
    await recordAudit(tx, {
      action: "user.updated",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: input.email },
      context: input.context,
      details: {
        before: { name: user.name, email: user.email },
        after: { name: input.name, email: input.email },
      },
    });
    return { oldEmail: user.email };
  });
  // After the commit: mail never fails, or waits for, the change.
  if (changed && changed.oldEmail !== input.email) {
    noticeEmailChanged({ oldEmail: changed.oldEmail, newEmail: input.email, ...input });
    noticeAccountChange({
      userId: input.userId,
      actor: input.actor,
      action: "user.updated",
      title: "Email changed",
      detail: `${changed.oldEmail} → ${input.email}`,
      context: input.context,
    });
  }
}

export async function disableUser(input: Base): Promise<void> {
  await changeStatus(input, "disabled");
}

export async function enableUser(input: Base): Promise<void> {
  await changeStatus(input, "active");
}

async function changeStatus(input: Base, status: "active" | "disabled"): Promise<void> {
  authorize(input.actor, "users.write");
  if (status === "disabled") {
    await assertRecentAuth(input.actor);
    // Also when acting through one's own token or client, which the audit actor would not show.
    if (accountableUserId(input.actor) === input.userId) throw Conflict("You cannot disable yourself.");
  }
  await db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } })) {
      await assertCanManageUser(tx, input.actor, input.userId);
    }
    await setUserStatus(tx, { ...input, status, actor: auditActor(input.actor) });
  });
  if (status === "disabled") await appsHearSessionsEnded({ userId: input.userId });
}

/** Deletes a user with everything they own (sessions, factors, tokens); the audit record stays. */
export async function deleteUser(input: Base): Promise<void> {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  if (accountableUserId(input.actor) === input.userId) throw Conflict("You cannot delete yourself.");
  await db.$transaction(async (tx) => {
    await lockAdminGuard(tx);
    const user = await tx.user.findUnique({
      where: { id: input.userId },
      include: { roles: { include: { role: true } } },
    });
    if (!user) throw NotFound("user");
    await assertCanManageUser(tx, input.actor, user.id);
    await assertNotLastAdmin(tx, user.id);
    await tx.user.delete({ where: { id: user.id } });
    await credentialsChanged(tx, [`user:${user.id}`]);
    await recordAudit(tx, {
      action: "user.deleted",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: {
        before: {
          email: user.email,
          name: user.name,
          status: user.status,
          roles: user.roles.map((r) => r.role.name),
        },
      },
    });
  });
  await appsHearSessionsEnded({ userId: input.userId });
}
