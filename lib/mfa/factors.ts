import type { Db, Tx } from "../db/client.ts";

/** Active second factors: confirmed authenticator apps plus passkeys and security keys. */
export async function countFactors(client: Db | Tx, userId: string): Promise<number> {
  const [totp, webauthn] = await Promise.all([
    client.totpFactor.count({ where: { userId, activatedAt: { not: null } } }),
    client.webAuthnCredential.count({ where: { userId } }),
  ]);
  return totp + webauthn;
}

/** Whether the user has a second factor that can be used to sign in. */
export async function hasSecondFactor(client: Db | Tx, userId: string): Promise<boolean> {
  return (await countFactors(client, userId)) > 0;
}

export async function secondFactorKinds(
  client: Db | Tx,
  userId: string,
): Promise<("totp" | "webauthn" | "recovery")[]> {
  const [totp, webauthn, recovery] = await Promise.all([
    client.totpFactor.count({ where: { userId, activatedAt: { not: null } } }),
    client.webAuthnCredential.count({ where: { userId } }),
    client.recoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  return [
    ...(webauthn ? (["webauthn"] as const) : []),
    ...(totp ? (["totp"] as const) : []),
    ...(recovery && totp + webauthn ? (["recovery"] as const) : []),
  ];
}
