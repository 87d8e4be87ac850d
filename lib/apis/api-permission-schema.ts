import { z } from "zod";

/** How many permission rows one role, token or client may be given at once (100 APIs × 50). */
export const MAX_API_PERMISSIONS = 5000;

/** An ApiPermission id (as the catalog lists them); whether it exists is the granting rule's check. */
export const apiPermissionIdSchema = z
  .string({ error: "Choose a permission." })
  .trim()
  .min(1, "Choose a permission.")
  .max(120, "Unknown permission.")
  .regex(/^[A-Za-z0-9_.:-]+$/, "Unknown permission.");

/** The ApiPermission ids given to a role, token or client: unique and sorted. */
export const apiPermissionIdListSchema = z
  .array(apiPermissionIdSchema)
  .max(MAX_API_PERMISSIONS, `Choose at most ${MAX_API_PERMISSIONS} permissions.`)
  .transform((list) => [...new Set(list)].sort())
  .describe("ApiPermission ids of registered APIs other than Keyward's own (see the API registry).");
