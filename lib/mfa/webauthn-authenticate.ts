import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from "@simplewebauthn/server";
import type { z } from "zod";

import { db } from "../db/client.ts";

/** Transports as the library types them (it takes the browser's values through unchanged). */
type Transports = NonNullable<
  Parameters<typeof generateAuthenticationOptions>[0]["allowCredentials"]
>[number]["transports"];
type CredentialTransports = Parameters<typeof verifyAuthenticationResponse>[0]["credential"]["transports"];
import { relyingParty } from "./webauthn-config.ts";
import type { authenticationResponseSchema } from "./webauthn-schemas.ts";

type Assertion = z.infer<typeof authenticationResponseSchema>;

export async function assertionOptions(input: {
  userId?: string;
  userVerification: "required" | "preferred";
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const credentials = input.userId
    ? await db.webAuthnCredential.findMany({
        where: { userId: input.userId },
        select: { credentialId: true, transports: true },
      })
    : [];
  return generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    // Empty for passwordless: the authenticator offers its discoverable credentials.
    allowCredentials: credentials.map((c) => ({
      id: c.credentialId,
      transports: c.transports as Transports,
    })),
    userVerification: input.userVerification,
  });
}

export type VerifiedAssertion = {
  userId: string;
  credentialRowId: string;
  userVerified: boolean;
  /**
   * The key cannot leave one authenticator (WebAuthn's backup eligibility flag unset,
   * `singleDevice`): a security key or a device-bound passkey, not one synced between devices.
   */
  deviceBound: boolean;
};

/**
 * Verifies an assertion against the stored credential (signature, origin, RP ID, challenge,
 * counter) and records its use. Returns null for an unknown credential or a failed check.
 */
export async function verifyAssertion(input: {
  response: Assertion;
  expectedChallenge: string;
  requireUserVerification: boolean;
  /** When set, the credential must belong to this user. */
  userId?: string;
}): Promise<VerifiedAssertion | null> {
  const credential = await db.webAuthnCredential.findUnique({ where: { credentialId: input.response.id } });
  if (!credential || (input.userId && credential.userId !== input.userId)) return null;
  const { rpID, origin } = relyingParty();
  try {
    const result = await verifyAuthenticationResponse({
      response: input.response as AuthenticationResponseJSON,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: input.requireUserVerification,
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(credential.publicKey),
        counter: Number(credential.counter),
        transports: credential.transports as CredentialTransports,
      },
    });
    if (!result.verified) return null;
    await db.webAuthnCredential.update({
      where: { id: credential.id },
      data: {
        counter: BigInt(result.authenticationInfo.newCounter),
        backedUp: result.authenticationInfo.credentialBackedUp,
        lastUsedAt: new Date(),
      },
    });
    return {
      userId: credential.userId,
      credentialRowId: credential.id,
      userVerified: result.authenticationInfo.userVerified,
      deviceBound: result.authenticationInfo.credentialDeviceType === "singleDevice",
    };
  } catch {
    return null;
  }
}
