import { z } from "zod";

import { overlapMinutesSchema } from "../credentials/secret-rotation.ts";
import { apiIdSchema, apiRefSchema } from "../apis/api-schemas.ts";
import { idSchema } from "../users/user-schemas.ts";

/** A resource-server credential's id, which is also its public `client_id` at introspection. */
export const rsCredentialIdSchema = idSchema("rs");

/** An API's id (the built-in one is `api_keyward`), as in lib/apis/api-schemas.ts. */
const rsApiIdSchema = apiIdSchema;

/** The API's id as the routes under /api/v1/apis/{apiId} carry it (lib/apis/api-schemas.ts). */
export const rsApiRefSchema = apiRefSchema;

export const rsCredentialRefSchema = apiRefSchema.extend({ credentialId: rsCredentialIdSchema });

export const createResourceServerCredentialSchema = z.object({
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name, e.g. the deployment that will introspect tokens.")
    .max(100, "A name has at most 100 characters."),
});
export type CreateResourceServerCredentialInput = z.infer<typeof createResourceServerCredentialSchema>;

export const rotateResourceServerSecretSchema = z.object({ overlapMinutes: overlapMinutesSchema });
export type RotateResourceServerSecretInput = z.infer<typeof rotateResourceServerSecretSchema>;

export const listResourceServerCredentialsSchema = z.object({
  after: rsCredentialIdSchema.optional().or(z.literal("").transform(() => undefined)),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListResourceServerCredentialsInput = z.infer<typeof listResourceServerCredentialsSchema>;

/** The forms of the API's page: the same fields, with the ids the page puts in hidden inputs. */
export const createResourceServerCredentialFormSchema = createResourceServerCredentialSchema.extend({
  apiId: rsApiIdSchema,
});
export const rotateResourceServerSecretFormSchema = rotateResourceServerSecretSchema.extend({
  apiId: rsApiIdSchema,
  credentialId: rsCredentialIdSchema,
});
export const resourceServerCredentialFormSchema = z.object({
  apiId: rsApiIdSchema,
  credentialId: rsCredentialIdSchema,
});
