import { z } from "zod";

import { passwordInputSchema } from "../users/schemas.ts";

export const reauthSchema = z.object({
  password: passwordInputSchema,
  code: z
    .string()
    .transform((c) => c.replace(/\s/g, ""))
    .pipe(z.string().regex(/^(\d{6})?$/, "Enter the 6-digit code."))
    .optional()
    .transform((c) => c || undefined),
});
