/**
 * Authentication context class references (OpenID Connect Core §2, `acr`), weakest first. `phr` and
 * `phrh` are the OpenID EAP ACR values for phishing-resistant authentication: a passkey, or a
 * password with a security key; `phrh` when the WebAuthn key is bound to one authenticator (`amr`
 * `hwk`), `phr` when it is synced between devices (`swk`). Keyward's own values name password
 * sign-ins.
 */
export const ACR = {
  password: "urn:keyward:acr:pwd",
  passwordAndCode: "urn:keyward:acr:pwd-mfa",
  phishingResistant: "phr",
  phishingResistantHardware: "phrh",
} as const;

const STRENGTH = [
  ACR.password,
  ACR.passwordAndCode,
  ACR.phishingResistant,
  ACR.phishingResistantHardware,
] as const;
export type Acr = (typeof STRENGTH)[number];

/** What an app may ask for with `acr_values` (and discovery's `acr_values_supported`). */
export const ACR_VALUES: readonly string[] = STRENGTH;

/** A session's `acr` from its RFC 8176 `amr` (lib/auth/sign-in/factors.ts). */
export function acrFor(amr: readonly string[]): Acr {
  if (amr.includes("hwk")) return ACR.phishingResistantHardware;
  if (amr.includes("swk")) return ACR.phishingResistant;
  if (amr.includes("mfa")) return ACR.passwordAndCode;
  return ACR.password;
}

const rank = (acr: string | undefined) => STRENGTH.indexOf(acr as Acr);

/**
 * Whether a sign-in with `actual` satisfies `acr_values` (space-separated, in order of preference):
 * it does when it is at least as strong as one value asked for. Values Keyward does not know ask
 * for nothing it can give, so alone they do not force a new sign-in.
 */
export function satisfiesAcr(actual: string | undefined, requested: string | undefined): boolean {
  const wanted = (requested ?? "")
    .split(" ")
    .map(rank)
    .filter((r) => r >= 0);
  if (wanted.length === 0) return true;
  return rank(actual) >= Math.min(...wanted);
}
