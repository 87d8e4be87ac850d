import { firstUseOfProof } from "./replay.ts";
import { isFreshDpopNonce } from "./nonce.ts";
import { DpopProofError, verifyDpopProof, type VerifiedProof } from "./proof.ts";

/** The proof carries no nonce Keyward gave out recently (RFC 9449 §8): the caller hands one out. */
export class DpopNonceRequired extends Error {
  override name = "DpopNonceRequired";
}

/**
 * A request's DPoP proof, checked whole: the proof itself (lib/dpop/proof.ts), a fresh
 * server-provided nonce where one is required (the token endpoint), and its `jti` not seen before
 * within the window (checked last, so a proof refused for its nonce can be sent again with one).
 */
export async function checkDpopProof(input: {
  header: string | null;
  method: string;
  uri: string;
  accessToken?: string;
  requireNonce?: boolean;
}): Promise<VerifiedProof> {
  const proof = await verifyDpopProof(input);
  if (input.requireNonce && !isFreshDpopNonce(proof.nonce)) {
    throw new DpopNonceRequired("Use the nonce in the DPoP-Nonce header of this response in a new proof.");
  }
  if (!(await firstUseOfProof(proof.jkt, proof.jti))) {
    throw new DpopProofError("This DPoP proof was used before: make a fresh one for every request.");
  }
  return proof;
}
