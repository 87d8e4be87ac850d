import QRCode from "qrcode";

import { noticeAccountChange } from "../account/security-notices.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { getConfig } from "../config/env.ts";
import { decrypt, encrypt } from "../crypto/encryption.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { Conflict, Invalid, NotFound, RateLimited } from "../errors/app-error.ts";
import { limiter } from "../limits/limiter.ts";
import { countFactors } from "./factors.ts";
import { afterFactorAdded } from "./recovery-codes.ts";
import { newTotpSecret, totpUri, verifyTotp } from "./totp.ts";

/** An unconfirmed authenticator is forgotten after this long. */
const PENDING_TTL_MS = 15 * 60_000;
const MAX_FACTORS = 10;
export const ENROLL_LIMIT = { name: "mfa_enroll", points: 10, durationSeconds: 15 * 60 } as const;

export const totpSecretContext = (factorId: string) => `totp:${factorId}`;

export type TotpEnrollment = { factorId: string; secret: string; uri: string; qrSvg: string };

/**
 * Step 1: a new secret, stored encrypted and inactive, shown as a QR code and as text.
 *
 * Adding a factor needs a recent sign-in (with the second factor when the user has one), at both
 * steps (ASVS 7.5.1). A user forced to enroll right after signing in passes: no factor yet, a
 * password minutes old.
 */
export async function startTotpEnrollment(input: {
  actor: UserPrincipal;
  name: string;
}): Promise<TotpEnrollment> {
  const { actor } = input;
  await assertFreshSession(actor);
  const factorId = newId("tf");
  const secret = newTotpSecret();
  await db.$transaction(async (tx) => {
    await tx.totpFactor.deleteMany({ where: { userId: actor.userId, activatedAt: null } });
    const count = await tx.totpFactor.count({ where: { userId: actor.userId } });
    if (count >= MAX_FACTORS) throw Conflict(`You can have at most ${MAX_FACTORS} authenticator apps.`);
    await tx.totpFactor.create({
      data: {
        id: factorId,
        userId: actor.userId,
        name: input.name,
        secretEnc: encrypt(getConfig().encryptionKeys, secret, totpSecretContext(factorId)),
      },
    });
  });
  const uri = totpUri(secret, actor.email);
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { factorId, secret, uri, qrSvg };
}

/**
 * Step 2: the authenticator proves it has the secret; only then is the factor active. The first
 * factor comes with ten recovery codes, returned once.
 */
export async function confirmTotpEnrollment(input: {
  actor: UserPrincipal;
  factorId: string;
  code: string;
  context: RequestContext;
}): Promise<{ recoveryCodes: string[] | null }> {
  const { actor } = input;
  await assertFreshSession(actor);
  const limit = await limiter(ENROLL_LIMIT).consume(actor.userId);
  if (!limit.allowed)
    throw RateLimited(limit.retryAfterSeconds, "Too many wrong codes. Wait a few minutes and try again.");
  const factor = await db.totpFactor.findFirst({ where: { id: input.factorId, userId: actor.userId } });
  if (!factor) throw NotFound("authenticator");
  if (factor.activatedAt) throw Conflict("This authenticator is already set up.");
  if (Date.now() - factor.createdAt.getTime() > PENDING_TTL_MS)
    throw Conflict("This setup has expired. Start again to get a new QR code.");

  const secret = decrypt(getConfig().encryptionKeys, factor.secretEnc, totpSecretContext(factor.id));
  const checked = await verifyTotp(secret, input.code, null);
  if (!checked.ok) {
    await recordAuditFailure({
      action: "mfa.totp_enroll_failed",
      actor: auditActor(actor),
      context: input.context,
      target: { kind: "totp", id: factor.id },
    });
    throw Invalid("That code is not right. Check the time on your device and enter the current code.", [
      { path: "code", message: "That code is not right." },
    ]);
  }
  const result = await db.$transaction(async (tx) => {
    const first = (await countFactors(tx, actor.userId)) === 0;
    const { count } = await tx.totpFactor.updateMany({
      where: { id: factor.id, activatedAt: null },
      data: { activatedAt: new Date(), lastTimeStep: checked.timeStep, lastUsedAt: new Date() },
    });
    if (count !== 1) throw Conflict("This authenticator is already set up.");
    await recordAudit(tx, {
      action: "mfa.totp_enrolled",
      actor: auditActor(actor),
      target: { kind: "totp", id: factor.id, display: factor.name },
      context: input.context,
    });
    return { recoveryCodes: await afterFactorAdded(tx, { actor, wasFirst: first, context: input.context }) };
  });
  noticeAccountChange({
    userId: actor.userId,
    actor,
    action: "mfa.totp_enrolled",
    detail: `“${factor.name}”`,
    context: input.context,
  });
  return result;
}
