import { noticeAccountChange } from "../account/security-notices.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { db, type Db, type Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { getSettings } from "../settings/settings.ts";
import { countFactors } from "./factors.ts";
import { remainingRecoveryCodes, replaceRecoveryCodes } from "./recovery-codes.ts";

/** Whether this user must have a second factor: a role of theirs says so, or the global setting. */
export async function mfaRequired(client: Db | Tx, userId: string): Promise<boolean> {
  if ((await getSettings(client)).mfaRequiredForAll) return true;
  return (await client.roleAssignment.count({ where: { userId, role: { requiresMfa: true } } })) > 0;
}

/** One's own factors (never their secrets) and recovery-code state. */
export async function myFactors(actor: UserPrincipal) {
  const [totp, webauthn, remaining, required] = await Promise.all([
    db.totpFactor.findMany({
      where: { userId: actor.userId, activatedAt: { not: null } },
      orderBy: { createdAt: "asc" },
    }),
    db.webAuthnCredential.findMany({ where: { userId: actor.userId }, orderBy: { createdAt: "asc" } }),
    remainingRecoveryCodes(db, actor.userId),
    mfaRequired(db, actor.userId),
  ]);
  return {
    factors: [
      ...totp.map((f) => ({
        id: f.id,
        kind: "totp" as const,
        name: f.name,
        createdAt: f.createdAt,
        lastUsedAt: f.lastUsedAt,
        backedUp: null,
      })),
      ...webauthn.map((f) => ({
        id: f.id,
        kind: "webauthn" as const,
        name: f.name,
        createdAt: f.createdAt,
        lastUsedAt: f.lastUsedAt,
        backedUp: f.backedUp,
      })),
    ],
    recoveryCodesLeft: remaining,
    required,
  };
}

type FactorInput = { actor: UserPrincipal; factorId: string; context: RequestContext };

async function findOwnFactor(tx: Tx, actor: UserPrincipal, factorId: string) {
  const totp = await tx.totpFactor.findFirst({
    where: { id: factorId, userId: actor.userId, activatedAt: { not: null } },
  });
  if (totp) return { kind: "totp" as const, name: totp.name };
  const webauthn = await tx.webAuthnCredential.findFirst({ where: { id: factorId, userId: actor.userId } });
  if (webauthn) return { kind: "webauthn" as const, name: webauthn.name };
  throw NotFound("factor");
}

export async function renameFactor(input: FactorInput & { name: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const factor = await findOwnFactor(tx, input.actor, input.factorId);
    if (factor.kind === "totp")
      await tx.totpFactor.update({ where: { id: input.factorId }, data: { name: input.name } });
    else await tx.webAuthnCredential.update({ where: { id: input.factorId }, data: { name: input.name } });
    await recordAudit(tx, {
      action: "mfa.factor_renamed",
      actor: auditActor(input.actor),
      target: { kind: factor.kind, id: input.factorId, display: input.name },
      context: input.context,
      details: { before: { name: factor.name }, after: { name: input.name } },
    });
  });
}

/** Removing a factor needs a fresh sign-in; the last one cannot go while MFA is required. */
export async function removeFactor(input: FactorInput): Promise<void> {
  await assertRecentAuth(input.actor);
  const removed = await db.$transaction(async (tx) => {
    const factor = await findOwnFactor(tx, input.actor, input.factorId);
    const total = await countFactors(tx, input.actor.userId);
    if (total === 1 && (await mfaRequired(tx, input.actor.userId))) {
      throw Conflict("Your roles require a second factor: add another one before removing this one.");
    }
    if (factor.kind === "totp") await tx.totpFactor.delete({ where: { id: input.factorId } });
    else await tx.webAuthnCredential.delete({ where: { id: input.factorId } });
    // Recovery codes stand in for a factor: with none left, they go too.
    if (total === 1) await tx.recoveryCode.deleteMany({ where: { userId: input.actor.userId } });
    // The owner's cached standing counts factors (required MFA binds their tokens and clients).
    await credentialsChanged(tx, [`user:${input.actor.userId}`]);
    await recordAudit(tx, {
      action: "mfa.factor_removed",
      actor: auditActor(input.actor),
      target: { kind: factor.kind, id: input.factorId, display: factor.name },
      context: input.context,
      details: { remainingFactors: total - 1 },
    });
    return factor;
  });
  noticeAccountChange({
    userId: input.actor.userId,
    actor: input.actor,
    action: "mfa.factor_removed",
    detail: `“${removed.name}”`,
    context: input.context,
  });
}

/** A new set of ten recovery codes (the old set stops working), returned once. */
export async function regenerateRecoveryCodes(input: {
  actor: UserPrincipal;
  context: RequestContext;
}): Promise<string[]> {
  await assertRecentAuth(input.actor);
  const fresh = await db.$transaction(async (tx) => {
    const factors = await countFactors(tx, input.actor.userId);
    if (factors === 0) throw Conflict("Add a second factor first: recovery codes stand in for one.");
    const codes = await replaceRecoveryCodes(tx, input.actor.userId);
    await recordAudit(tx, {
      action: "mfa.recovery_codes_generated",
      actor: auditActor(input.actor),
      target: { kind: "user", id: input.actor.userId, display: input.actor.email },
      context: input.context,
    });
    return codes;
  });
  noticeAccountChange({
    userId: input.actor.userId,
    actor: input.actor,
    action: "mfa.recovery_codes_generated",
    context: input.context,
  });
  return fresh;
}
