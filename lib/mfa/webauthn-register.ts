import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { z } from "zod";

import { noticeAccountChange } from "../account/security-notices.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { Conflict, Invalid } from "../errors/app-error.ts";
import { countFactors } from "./factors.ts";
import { afterFactorAdded } from "./recovery-codes.ts";
import { saveChallenge, takeChallenge } from "./webauthn-challenges.ts";
import { relyingParty, userHandle } from "./webauthn-config.ts";
import type { registrationResponseSchema } from "./webauthn-schemas.ts";

const MAX_CREDENTIALS = 20;

/**
 * Options for a new passkey or security key: resident key and user verification preferred.
 *
 * A passkey is a whole sign-in on its own, so adding one needs a recent sign-in (with the second
 * factor when the user has one), at the start as well as at the finish: a stale or stolen session
 * cannot even begin (ASVS 7.5.1). A user forced to enroll right after signing in passes: they have
 * no factor yet and their password is minutes old.
 */
export async function passkeyRegistrationOptions(
  actor: UserPrincipal,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await assertFreshSession(actor);
  const { rpName, rpID } = relyingParty();
  const existing = await db.webAuthnCredential.findMany({
    where: { userId: actor.userId },
    select: { credentialId: true, transports: true },
  });
  if (existing.length >= MAX_CREDENTIALS)
    throw Conflict(`You can have at most ${MAX_CREDENTIALS} passkeys and security keys.`);
  const options = await generateRegistrationOptions({
    rpName,
    rpID,
    userName: actor.email,
    userDisplayName: actor.name,
    userID: userHandle(actor.userId),
    attestationType: "none",
    // The same authenticator cannot be registered twice.
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    extensions: { credProps: true },
  });
  await saveChallenge("registration", options.challenge, { userId: actor.userId });
  return options;
}

export async function registerPasskey(input: {
  actor: UserPrincipal;
  name: string;
  response: z.infer<typeof registrationResponseSchema>;
  context: RequestContext;
}): Promise<{ recoveryCodes: string[] | null }> {
  const { actor } = input;
  // Checked again: the options may have been fetched just inside the window. Before the challenge
  // is taken, so a refused attempt can go on after the re-authentication.
  await assertFreshSession(actor);
  const { rpID, origin } = relyingParty();
  const expectedChallenge = await takeChallenge("registration", { userId: actor.userId });
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch (error) {
    await recordAuditFailure({
      action: "mfa.webauthn_register_failed",
      actor: auditActor(actor),
      context: input.context,
      details: { reason: error instanceof Error ? error.message.slice(0, 200) : "invalid" },
    });
    throw Invalid("The passkey could not be verified. Try again.");
  }
  if (!verification.verified) throw Invalid("The passkey could not be verified. Try again.");
  const info = verification.registrationInfo;
  const credProps = input.response.clientExtensionResults.credProps as { rk?: boolean } | undefined;

  const result = await db.$transaction(async (tx) => {
    if (await tx.webAuthnCredential.findUnique({ where: { credentialId: info.credential.id } }))
      throw Conflict("This passkey is already registered.");
    const first = (await countFactors(tx, actor.userId)) === 0;
    const id = newId("wa");
    await tx.webAuthnCredential.create({
      data: {
        id,
        userId: actor.userId,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey),
        counter: BigInt(info.credential.counter),
        transports: info.credential.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        discoverable: credProps?.rk ?? false,
        aaguid: info.aaguid,
        name: input.name,
        lastUsedAt: new Date(),
      },
    });
    await recordAudit(tx, {
      action: "mfa.webauthn_registered",
      actor: auditActor(actor),
      target: { kind: "webauthn", id, display: input.name },
      context: input.context,
      details: {
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        discoverable: credProps?.rk ?? null,
        aaguid: info.aaguid,
      },
    });
    return { recoveryCodes: await afterFactorAdded(tx, { actor, wasFirst: first, context: input.context }) };
  });
  noticeAccountChange({
    userId: actor.userId,
    actor,
    action: "mfa.webauthn_registered",
    detail: `“${input.name}”`,
    context: input.context,
  });
  return result;
}
