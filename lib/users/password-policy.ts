import { Invalid } from "../errors/app-error.ts";
import { isCommonPassword } from "./common-passwords.ts";

/** Server-side checks beyond the schema's length rule (NIST SP 800-63B 3.1.1.2). */
export function assertAcceptablePassword(password: string, context: { email?: string } = {}): void {
  const lowered = password.toLowerCase();
  if (isCommonPassword(password)) {
    throw Invalid("This password appears in lists of leaked passwords. Choose another.", [
      { path: "password", message: "This password appears in lists of leaked passwords. Choose another." },
    ]);
  }
  if (
    context.email &&
    (lowered === context.email || lowered.includes(context.email.split("@")[0] ?? "\u0000"))
  ) {
    throw Invalid("The password must not contain your email address.", [
      { path: "password", message: "The password must not contain your email address." },
    ]);
  }
}
