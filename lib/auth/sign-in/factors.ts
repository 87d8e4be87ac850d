/**
 * What each step of a sign-in proves. A passkey used with user verification is phishing-resistant
 * multi-factor on its own (possession + PIN or biometric), so it satisfies both requirements.
 * WebAuthn proofs say whether the key is bound to one authenticator (`hwk`, `passkey`) or synced
 * between devices (`swk`, `synced_passkey`): RFC 8176's hardware- and software-secured keys, and
 * what makes an `acr` `phrh` rather than `phr` (lib/oidc/acr.ts).
 */
export type FactorProof = "pwd" | "otp" | "hwk" | "swk" | "passkey" | "synced_passkey";

const PASSKEYS: readonly FactorProof[] = ["passkey", "synced_passkey"];
const FIRST: readonly FactorProof[] = ["pwd", ...PASSKEYS];
const SECOND: readonly FactorProof[] = ["otp", "hwk", "swk", ...PASSKEYS];

/** The proof a verified WebAuthn assertion gives, as a second factor or as a passkey sign-in. */
export function webauthnProof(asPasskey: boolean, deviceBound: boolean): FactorProof {
  if (asPasskey) return deviceBound ? "passkey" : "synced_passkey";
  return deviceBound ? "hwk" : "swk";
}

/** The steps still missing before this attempt may become a session. */
export function missingSteps(passed: readonly string[], needsSecondFactor: boolean): ("first" | "second")[] {
  const missing: ("first" | "second")[] = [];
  if (!passed.some((p) => FIRST.includes(p as FactorProof))) missing.push("first");
  if (needsSecondFactor && !passed.some((p) => SECOND.includes(p as FactorProof))) missing.push("second");
  return missing;
}

/** RFC 8176 authentication method references for the session. */
export function amrFor(passed: readonly string[]): string[] {
  const amr = new Set<string>();
  for (const proof of passed) {
    if (proof === "passkey") ["hwk", "user", "mfa"].forEach((v) => amr.add(v));
    else if (proof === "synced_passkey") ["swk", "user", "mfa"].forEach((v) => amr.add(v));
    else amr.add(proof);
  }
  if (
    passed.some((p) => FIRST.includes(p as FactorProof)) &&
    passed.some((p) => SECOND.includes(p as FactorProof))
  )
    amr.add("mfa");
  return [...amr];
}
