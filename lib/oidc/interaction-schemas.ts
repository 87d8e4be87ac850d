import { z } from "zod";

/** The one input of the interaction pages: a decision on an app's sign-in. */
export const interactionDecisionSchema = z.strictObject({
  decision: z.enum(["allow", "deny", "leave", "cancel"]),
});
