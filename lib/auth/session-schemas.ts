import { z } from "zod";

import { idSchema, userIdSchema } from "../users/user-schemas.ts";

export const sessionRefSchema = z.object({ sessionId: idSchema("ses") });
export const userSessionRefSchema = z.object({ userId: userIdSchema, sessionId: idSchema("ses") });
