import { z } from "zod";

import { recoveryCodeSchema, totpCodeSchema } from "../../mfa/mfa-schemas.ts";
import { emailSchema, passwordInputSchema } from "../../users/schemas.ts";

export const passwordSignInSchema = z.object({ email: emailSchema, password: passwordInputSchema });
export type PasswordSignInInput = z.infer<typeof passwordSignInSchema>;

export const secondFactorSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("totp"), code: totpCodeSchema }),
  z.object({ method: z.literal("recovery"), code: recoveryCodeSchema }),
]);
