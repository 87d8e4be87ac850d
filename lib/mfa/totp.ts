import { generateSecret, generateURI, verify } from "otplib";

/**
 * RFC 6238 with the parameters every authenticator app supports: HMAC-SHA-1, 6 digits, 30-second
 * steps. At most one step of clock skew either way (the tolerance is in seconds).
 */
export const TOTP_PERIOD_SECONDS = 30;
const TOLERANCE_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 }); // 160 bits, as RFC 4226 recommends
}

export function totpUri(secret: string, account: string, issuer = "Keyward"): string {
  return generateURI({ issuer, label: account, secret });
}

/**
 * Checks a code. `afterTimeStep` is the last step this factor accepted: a code from that step or
 * earlier is a replay and is refused (RFC 6238 §5.2). Returns the step to remember.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  afterTimeStep: bigint | null,
): Promise<{ ok: true; timeStep: bigint } | { ok: false }> {
  if (!/^\d{6}$/.test(code)) return { ok: false };
  const result = await verify({
    secret,
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    epoch: Math.floor(Date.now() / 1000),
    ...(afterTimeStep !== null ? { afterTimeStep: Number(afterTimeStep) } : {}),
  });
  if (!result.valid || !("timeStep" in result)) return { ok: false };
  return { ok: true, timeStep: BigInt(result.timeStep) };
}
