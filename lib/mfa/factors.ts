import type { Db, Tx } from "../db/client.ts";

/** Whether the user has a second factor that can be used to sign in. */
export async function hasSecondFactor(client: Db | Tx, userId: string): Promise<boolean> {
  const [totp, webauthn] = await Promise.all([
    client.totpFactor.count({ where: { userId, activatedAt: { not: null } } }),
    client.webAuthnCredential.count({ where: { userId } }),
  ]);
  return totp + webauthn > 0;
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
