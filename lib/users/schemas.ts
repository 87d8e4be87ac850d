import { z } from "zod";

/** Input schemas shared by forms, server actions, route handlers and the OpenAPI document. */
export const emailSchema = z
  .string({ error: "Enter an email address." })
  .trim()
  .max(254, "An email address has at most 254 characters.")
  .pipe(z.email("Enter a valid email address."))
  .transform((email) => email.toLowerCase());

export const nameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name.")
  .max(100, "A name has at most 100 characters.");

/** NIST SP 800-63B: length only (12 to 128), no composition rules; the common-password check is server-side. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
export const newPasswordSchema = z
  .string({ error: "Enter a password." })
  .refine((p) => [...p].length >= PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .refine((p) => [...p].length <= PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

/** A password typed to sign in: only bounded, never judged (old passwords may predate the rules). */
export const passwordInputSchema = z
  .string({ error: "Enter your password." })
  .min(1, "Enter your password.")
  .max(1024, "That password is too long.");
