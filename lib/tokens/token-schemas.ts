import { z } from "zod";

import { apiPermissionIdListSchema } from "../apis/api-permission-schema.ts";
import { overlapMinutesSchema } from "../credentials/secret-rotation.ts";
import { permissionListSchema } from "../policy/permission-schema.ts";
import { idSchema, userIdSchema } from "../users/user-schemas.ts";

export const tokenIdSchema = idSchema("tok");

export const EXPIRATION_CHOICES = ["7", "30", "60", "90", "custom", "never"] as const;

/** Minting a personal token: the form and `POST /api/v1/tokens` share it. */
export const mintTokenSchema = z
  .object({
    name: z
      .string({ error: "Enter a name." })
      .trim()
      .min(1, "Enter a name, e.g. what the token is for.")
      .max(100, "A name has at most 100 characters."),
    /** Keyward's own permissions, by name. */
    scopes: permissionListSchema.default([]),
    /** Permissions of other registered APIs, by permission id (each within the owner's own). */
    apiPermissionIds: apiPermissionIdListSchema.default([]),
    expiration: z.enum(EXPIRATION_CHOICES, {
      error: "Choose 7, 30, 60 or 90 days, a date, or never.",
    }),
    /** With expiration "custom": the last day the token works (UTC). */
    expiresOn: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD.")
      .optional()
      .or(z.literal("").transform(() => undefined)),
  })
  .refine((input) => input.scopes.length > 0 || input.apiPermissionIds.length > 0, {
    path: ["scopes"],
    message: "Choose at least one scope.",
  })
  .refine((input) => input.expiration !== "custom" || input.expiresOn, {
    path: ["expiresOn"],
    message: "Choose the date the token expires.",
  });
/** What minting takes: `apiPermissionIds` may be left out by callers that mint Keyward scopes only. */
export type MintTokenInput = Omit<z.infer<typeof mintTokenSchema>, "apiPermissionIds"> & {
  apiPermissionIds?: readonly string[];
};

export const tokenRefSchema = z.object({ tokenId: tokenIdSchema });

/** Rotation: the old secret may keep working for an overlap (minutes; default none, at most 7 days). */
export const rotateTokenSchema = z.object({
  tokenId: tokenIdSchema,
  overlapMinutes: overlapMinutesSchema,
});
export type RotateTokenInput = z.infer<typeof rotateTokenSchema>;

export const listTokensSchema = z.object({
  /** Only with tokens.read: every user's tokens, or one user's. Without it: the caller's own. */
  scope: z.enum(["mine", "all"]).default("mine"),
  userId: userIdSchema.optional().or(z.literal("").transform(() => undefined)),
  status: z
    .enum(["active", "expired", "revoked"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  after: tokenIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListTokensInput = z.infer<typeof listTokensSchema>;
