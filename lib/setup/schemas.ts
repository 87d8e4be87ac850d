import { z } from "zod";

import { emailSchema, nameSchema, newPasswordSchema } from "../users/schemas.ts";

export const setupSchema = z.object({
  code: z
    .string({ error: "Enter the setup code." })
    .trim()
    .min(1, "Enter the setup code.")
    .max(64, "That is not a setup code."),
  email: emailSchema,
  name: nameSchema,
  password: newPasswordSchema,
});
export type SetupInput = z.infer<typeof setupSchema>;
