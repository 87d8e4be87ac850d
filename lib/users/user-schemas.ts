import { z } from "zod";

import { searchTextSchema } from "../http/search-schema.ts";

import { emailSchema, nameSchema, newPasswordSchema } from "./schemas.ts";

/** Ids arrive from URLs and forms: bounded, and shaped like ours, so junk never reaches a query. */
export const idSchema = (prefix: string) =>
  z
    .string({ error: "Missing id." })
    .trim()
    .max(64, "Not a valid id.")
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,40}$`), "Not a valid id.");

export const userIdSchema = idSchema("usr");
export const roleIdSchema = idSchema("rol");

export const inviteUserSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  roleIds: z.array(roleIdSchema).max(50, "Choose at most 50 roles.").default([]),
});

export const updateUserSchema = z.object({ userId: userIdSchema, name: nameSchema, email: emailSchema });

export const userRefSchema = z.object({ userId: userIdSchema });

export const roleAssignmentSchema = z.object({ userId: userIdSchema, roleId: roleIdSchema });

/** The secret of a one-time link, read from the URL fragment by the page's script. */
const linkCodeSchema = (what: string) =>
  z
    .string({ error: `The ${what} link is incomplete.` })
    .trim()
    .min(20, `The ${what} link is incomplete.`)
    .max(200, `The ${what} link is not valid.`);

export const acceptInvitationSchema = z.object({
  code: linkCodeSchema("invitation"),
  password: newPasswordSchema,
});

export const requestPasswordResetSchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z.object({
  code: linkCodeSchema("password reset"),
  password: newPasswordSchema,
});

export const verifyEmailSchema = z.object({ code: linkCodeSchema("verification") });

export const listUsersSchema = z.object({
  q: searchTextSchema,
  role: roleIdSchema.optional().or(z.literal("").transform(() => undefined)),
  status: z
    .enum(["invited", "active", "disabled"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  mfa: z
    .enum(["yes", "no"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  sort: z.enum(["email", "name", "created"]).default("email"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  after: userIdSchema.optional(),
  before: userIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ListUsersInput = z.infer<typeof listUsersSchema>;
