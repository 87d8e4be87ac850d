import { crc32 } from "node:zlib";

import { BASE62, randomBase62 } from "./ids.ts";

/**
 * Credentials a caller presents: a fixed prefix (so secret scanners and people can tell what a leaked
 * string is), 22 random base62 characters (131 bits) and a 6-character checksum of the body, as
 * GitHub's tokens do. The checksum lets anyone (us first) reject a mistyped or forged token offline,
 * before any lookup.
 */
export const TOKEN_PREFIX = {
  personal: "kw_pat_",
  clientSecret: "kw_cs_",
  resourceServerSecret: "kw_rs_",
  appSecret: "kw_as_",
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIX;

const RANDOM_LENGTH = 22;
const CHECKSUM_LENGTH = 6;
const BODY = new RegExp(`^[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/** CRC32 of the prefix and random part, in base62, left-padded to six characters. */
export function checksum(prefixAndRandom: string): string {
  let value = crc32(prefixAndRandom);
  let out = "";
  do {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  } while (value > 0);
  return out.padStart(CHECKSUM_LENGTH, "0");
}

export function newSecretToken(kind: TokenKind): string {
  const head = TOKEN_PREFIX[kind] + randomBase62(RANDOM_LENGTH);
  return head + checksum(head);
}

/** True when the string has the shape and a valid checksum: no database lookup needed to say no. */
export function isWellFormedToken(kind: TokenKind, value: string): boolean {
  const prefix = TOKEN_PREFIX[kind];
  if (!value.startsWith(prefix)) return false;
  const body = value.slice(prefix.length);
  if (!BODY.test(body)) return false;
  const head = value.slice(0, value.length - CHECKSUM_LENGTH);
  return checksum(head) === value.slice(-CHECKSUM_LENGTH);
}

/** What a list shows of a secret: the prefix and its last four characters. */
export function displayFragment(kind: TokenKind, value: string): string {
  return `${TOKEN_PREFIX[kind]}…${value.slice(-4)}`;
}
