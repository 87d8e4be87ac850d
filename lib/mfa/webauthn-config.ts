import { getConfig } from "../config/env.ts";

/** Relying party identity from KEYWARD_URL: the origin browsers must report, and its host as RP ID. */
export function relyingParty() {
  const url = getConfig().publicUrl;
  return { rpName: "Keyward", rpID: url.hostname, origin: url.origin };
}

/** WebAuthn user handle: our user id's bytes (no personal data). */
export function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, "utf8"));
}
