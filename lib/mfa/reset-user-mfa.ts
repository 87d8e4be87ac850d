import { noticeAccountChange } from "../account/security-notices.ts";
import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { revokeUserSessions } from "../auth/sessions.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { db, type Tx } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanManageUser } from "../users/admin-guard.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

/**
 * Removes every factor and recovery code of a user who lost theirs, and ends their sessions. If a
 * role requires MFA, they enroll again at their next sign-in.
 */
export async function resetMfaInTx(
  tx: Tx,
  input: { userId: string; actor: AuditActor; context: RequestContext },
): Promise<void> {
  const user = await tx.user.findUnique({ where: { id: input.userId } });
  if (!user) throw NotFound("user");
  const [totp, webauthn, recovery] = await Promise.all([
    tx.totpFactor.deleteMany({ where: { userId: user.id } }),
    tx.webAuthnCredential.deleteMany({ where: { userId: user.id } }),
    tx.recoveryCode.deleteMany({ where: { userId: user.id } }),
  ]);
  const endedSessions = await revokeUserSessions(tx, user.id, "mfa_reset");
  // The owner's cached standing says whether they have a factor: where MFA is required, their
  // tokens and clients must stop on the next request, not when the cache entry ages out.
  await credentialsChanged(tx, [`user:${user.id}`]);
  await recordAudit(tx, {
    action: "mfa.reset",
    actor: input.actor,
    target: { kind: "user", id: user.id, display: user.email },
    context: input.context,
    details: {
      removed: { totp: totp.count, webauthn: webauthn.count, recoveryCodes: recovery.count },
      endedSessions,
    },
  });
}

export async function resetUserMfa(input: {
  actor: Principal;
  userId: string;
  context: RequestContext;
}): Promise<void> {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } })) {
      await assertCanManageUser(tx, input.actor, input.userId);
    }
    await resetMfaInTx(tx, { userId: input.userId, actor: auditActor(input.actor), context: input.context });
  });
  await appsHearSessionsEnded({ userId: input.userId });
  noticeAccountChange({
    userId: input.userId,
    actor: input.actor,
    action: "mfa.reset",
    context: input.context,
  });
}
