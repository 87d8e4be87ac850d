import { z } from "zod";

import { PERMISSIONS } from "./permissions.ts";

export const permissionSchema = z.enum(PERMISSIONS, { error: "Unknown permission." });

/** A set of permissions (role grants, token scopes, client scopes): unique and sorted. */
export const permissionListSchema = z
  .array(permissionSchema)
  .max(PERMISSIONS.length * 2, "Too many permissions.")
  .transform((list) => [...new Set(list)].sort());
