import { getConfig } from "../config/env.ts";
import { Invalid } from "../errors/app-error.ts";
import { isCommonPassword } from "./common-passwords.ts";

/**
 * Context-specific words (ASVS 6.1.2, 6.2.11): the product's name and the names in the address
 * this installation is served at (an organisation's name is usually there: iam.acme.com gives
 * "acme"). A password built on them is among the first an attacker tries against this service.
 */
export const PRODUCT_WORDS = ["keyward"];

const GENERIC_LABELS = new Set(["www", "iam", "auth", "login", "sso", "localhost", "com", "org", "net"]);

export function contextWords(hostname: string): string[] {
  const labels = /^[\d.:[\]]+$/.test(hostname) ? [] : hostname.toLowerCase().split(".");
  const named = labels.filter((label) => label.length >= 4 && !GENERIC_LABELS.has(label));
  return [...new Set([...PRODUCT_WORDS, ...named])];
}

/** Undo the usual substitutions, so "K3yw4rd!" counts as "keyward". */
function unleet(text: string): string {
  const map: Record<string, string> = {
    "0": "o",
    "1": "l",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    $: "s",
  };
  return text.toLowerCase().replace(/[013457@$]/g, (c) => map[c] ?? c);
}

function refuse(message: string): never {
  throw Invalid(message, [{ path: "password", message }]);
}

/** Server-side checks beyond the schema's length rule (NIST SP 800-63B 3.1.1.2). */
export function assertAcceptablePassword(
  password: string,
  context: { email?: string; words?: string[] } = {},
): void {
  const lowered = password.toLowerCase();
  if (isCommonPassword(password))
    refuse("This password appears in lists of leaked passwords. Choose another.");
  // The address's name part, when it is long enough to mean something ("al" is in too many words).
  const name = context.email?.split("@")[0] ?? "";
  if (context.email && (lowered === context.email || (name.length >= 4 && lowered.includes(name)))) {
    refuse("The password must not contain your email address.");
  }
  const words = context.words ?? contextWords(getConfig().publicUrl.hostname);
  const plain = unleet(password).replace(/[^a-z]/g, "");
  const word = words.find((candidate) => plain.includes(unleet(candidate).replace(/[^a-z]/g, "")));
  if (word)
    refuse(
      `The password must not be built on "${word}": it is among the first guesses against this service.`,
    );
}
