import { z } from "zod";

import { idSchema } from "../users/user-schemas.ts";

export const factorNameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name.")
  .max(60, "A name has at most 60 characters.");
export const totpCodeSchema = z
  .string({ error: "Enter the 6-digit code." })
  .transform((code) => code.replace(/\s/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app."));
export const recoveryCodeSchema = z
  .string({ error: "Enter a recovery code." })
  .trim()
  .min(16, "Enter a whole recovery code.")
  .max(40, "That is not a recovery code.");

export const startTotpSchema = z.object({ name: factorNameSchema.default("Authenticator app") });
export const confirmTotpSchema = z.object({ factorId: idSchema("tf"), code: totpCodeSchema });
export const factorRefSchema = z.object({
  factorId: z
    .string()
    .trim()
    .max(64)
    .regex(/^(tf|wa)_[0-9A-Za-z]{1,40}$/, "Not a valid id."),
});
export const renameFactorSchema = factorRefSchema.extend({ name: factorNameSchema });
