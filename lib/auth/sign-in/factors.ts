/**
 * What each step of a sign-in proves. A passkey used with user verification is phishing-resistant
 * multi-factor on its own (possession + PIN or biometric), so it satisfies both requirements.
 */
export type FactorProof = "pwd" | "otp" | "hwk" | "passkey";

const FIRST: readonly FactorProof[] = ["pwd", "passkey"];
const SECOND: readonly FactorProof[] = ["otp", "hwk", "passkey"];

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
    else amr.add(proof);
  }
  if (
    passed.some((p) => FIRST.includes(p as FactorProof)) &&
    passed.some((p) => SECOND.includes(p as FactorProof))
  )
    amr.add("mfa");
  return [...amr];
}
