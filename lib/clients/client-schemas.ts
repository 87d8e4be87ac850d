import { z } from "zod";

import { searchTextSchema } from "../http/search-schema.ts";

import { apiPermissionIdListSchema } from "../apis/api-permission-schema.ts";
import { overlapMinutesSchema } from "../credentials/secret-rotation.ts";
import { permissionListSchema } from "../policy/permission-schema.ts";
import { emailSchema } from "../users/schemas.ts";
import { idSchema, userIdSchema } from "../users/user-schemas.ts";

/** Our ids double as OAuth `client_id`s. */
export const clientIdSchema = idSchema("cli");

const clientFields = {
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name, e.g. the service that will use it.")
    .max(100, "A name has at most 100 characters."),
  description: z.string().trim().max(500, "A description has at most 500 characters.").default(""),
  /** Keyward's own permissions, by name. At least one scope of any API is required (checked in lib/clients). */
  scopes: permissionListSchema.default([]),
};

const requireDpop = z
  .boolean()
  .describe(
    "RFC 9449: every token request must carry a DPoP proof, so each token is bound to the client's key and useless to anyone who copies it.",
  );

/** Permissions of other registered APIs the client may be granted, by permission id. */
const apiPermissionIds = apiPermissionIdListSchema.describe(
  "Permissions of other registered APIs the client may be granted, by permission id.",
);

export const createClientSchema = z.object({
  ...clientFields,
  apiPermissionIds: apiPermissionIds.default([]),
  requireDpop: requireDpop.default(false),
});
/** Callers that allow Keyward scopes only may leave `apiPermissionIds` out; `requireDpop` is off unless set. */
export type CreateClientInput = Omit<
  z.infer<typeof createClientSchema>,
  "apiPermissionIds" | "requireDpop"
> & {
  apiPermissionIds?: readonly string[];
  requireDpop?: boolean;
};

/** Left out, `apiPermissionIds` keeps the client's permissions of other APIs as they are. */
export const updateClientSchema = z.object({
  clientId: clientIdSchema,
  ...clientFields,
  apiPermissionIds: apiPermissionIds.optional(),
  /** Left out, it stays as it is. */
  requireDpop: requireDpop.optional(),
});
export type UpdateClientInput = Omit<z.infer<typeof updateClientSchema>, "apiPermissionIds"> & {
  apiPermissionIds?: readonly string[];
};

export const clientRefSchema = z.object({ clientId: clientIdSchema });

export const rotateClientSecretSchema = z.object({
  clientId: clientIdSchema,
  overlapMinutes: overlapMinutesSchema,
});

/** The new owner by user id or by email address (what a person types). */
export const reassignClientSchema = z.object({
  clientId: clientIdSchema,
  owner: z.union([userIdSchema, emailSchema], { error: "Enter the new owner's email address or user id." }),
});

/** The proposed owner accepts: the secret rotates, the old one kept for the overlap they choose. */
export const acceptClientSchema = z.object({
  clientId: clientIdSchema,
  overlapMinutes: overlapMinutesSchema,
});

export const listClientsSchema = z.object({
  q: searchTextSchema,
  status: z
    .enum(["active", "disabled", "orphaned"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  ownerId: userIdSchema.optional().or(z.literal("").transform(() => undefined)),
  after: clientIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListClientsInput = z.infer<typeof listClientsSchema>;
