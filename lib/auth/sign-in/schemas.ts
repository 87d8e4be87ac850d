import { z } from "zod";

import { emailSchema, passwordInputSchema } from "../../users/schemas.ts";

export const passwordSignInSchema = z.object({ email: emailSchema, password: passwordInputSchema });
export type PasswordSignInInput = z.infer<typeof passwordSignInSchema>;
