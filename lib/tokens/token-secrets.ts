import { newId } from "../crypto/ids.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { displayFragment, newSecretToken, type TokenKind } from "../crypto/secret-token.ts";

const SECRET_ID_PREFIX: Record<TokenKind, string> = {
  personal: "tks",
  clientSecret: "cls",
  resourceServerSecret: "rss",
  appSecret: "aps",
};

/**
 * A new secret for a token or client: the value (shown once, never stored) and what is stored
 * instead, a SHA-256 hash (the secret is 131 random bits: a slow hash would add nothing, ASVS 6.5.2)
 * and a fragment for recognising it in lists.
 */
export function newStoredSecret(kind: TokenKind): {
  value: string;
  row: { id: string; hash: string; fragment: string };
} {
  const value = newSecretToken(kind);
  return {
    value,
    row: {
      id: newId(SECRET_ID_PREFIX[kind]),
      hash: sha256Hex(value),
      fragment: displayFragment(kind, value),
    },
  };
}
