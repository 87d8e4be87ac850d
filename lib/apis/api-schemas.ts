import { z } from "zod";

import { searchTextSchema } from "../http/search-schema.ts";
import { NUL_MESSAGE, withoutNul } from "../http/no-nul.ts";
import { emailSchema } from "../users/schemas.ts";
import { idSchema, userIdSchema } from "../users/user-schemas.ts";

/**
 * Input schemas of the API registry (issue 14): the UI's forms, the server actions, the REST
 * routes and the OpenAPI document share these. Text is well-formed Unicode without NUL.
 */
export const apiIdSchema = idSchema("api");

/** Ours are `perm_<base62>`; the built-in API's are `perm_keyward_<name>` (lib/apis/built-in-api.ts). */
export const apiPermissionIdSchema = z
  .string({ error: "Missing id." })
  .trim()
  .max(140, "Not a valid id.")
  .regex(/^perm_[0-9A-Za-z][0-9A-Za-z_.:-]{0,120}$/, "Not a valid id.");

/** The most permissions one API may define (imports included). */
export const MAX_PERMISSIONS_PER_API = 1_000;
export const MAX_IDENTIFIER_LENGTH = 500;
/** The largest import document read (a JSON file or an OpenAPI document), by the UI and the REST route. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

const text = (max: number, what: string) =>
  z.string().trim().max(max, `${what} has at most ${max} characters.`).refine(withoutNul, NUL_MESSAGE);

export const apiNameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name, e.g. “Orders API”.")
  .max(100, "A name has at most 100 characters.")
  .refine(withoutNul, NUL_MESSAGE);

export const apiDescriptionSchema = text(1_000, "A description");

/** A permission's name: what a scope says on the wire, e.g. `orders.read` or `read:orders`. */
export const permissionNameSchema = z
  .string({ error: "Enter a permission name." })
  .trim()
  .min(1, "Enter a permission name, e.g. orders.read.")
  .max(100, "A permission name has at most 100 characters.")
  .regex(
    /^[a-z][a-z0-9_.:-]*$/,
    "A permission name starts with a lowercase letter and has only lowercase letters, digits and _ . : -",
  );

export const permissionDescriptionSchema = text(500, "A description");

/**
 * The API's identifier: the `aud` of its tokens and the `resource` clients name (RFC 8707: an
 * absolute URI without a fragment, compared as a string, so it is stored as written).
 */
export const apiIdentifierSchema = z
  .string({ error: "Enter the identifier." })
  .trim()
  .min(1, "Enter the identifier, e.g. https://orders.example.com/.")
  .max(MAX_IDENTIFIER_LENGTH, `An identifier has at most ${MAX_IDENTIFIER_LENGTH} characters.`)
  .superRefine((value, ctx) => {
    const problem = identifierProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

function identifierProblem(value: string): string | null {
  if (!withoutNul(value) || /[\s\u0000-\u001f\u007f]/.test(value))
    return "An identifier has no spaces or control characters.";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "An identifier is an absolute URI, e.g. https://orders.example.com/.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "An identifier starts with https:// (or http://).";
  if (!/^https?:\/\//i.test(value))
    return "An identifier is an absolute URI, e.g. https://orders.example.com/.";
  if (value.includes("#")) return "An identifier has no fragment (#…) (RFC 8707).";
  if (url.username || url.password) return "An identifier carries no user name or password.";
  if (!url.hostname) return "An identifier names a host.";
  return null;
}

/** Seconds; the domain caps it by the access-token lifetime setting. */
export const accessTokenTtlSchema = z.coerce
  .number({ error: "Enter a number of seconds." })
  .int("Enter a whole number of seconds.")
  .min(60, "An access token lives at least 60 seconds.")
  .max(86_400, "An access token lives at most 86,400 seconds (a day).");

/** RFC 9449 §7: the API then checks the DPoP proof that comes with each token. */
const requireDpopSchema = z
  .boolean()
  .describe(
    "RFC 9449: Keyward issues this API only DPoP-bound tokens, and its introspection reports personal and unbound tokens inactive.",
  );

/** The owner by user id or by email address (what a person types). */
export const apiOwnerSchema = z.union([userIdSchema, emailSchema], {
  error: "Enter the owner's email address or user id.",
});
/** An empty owner field (a form left blank) is no owner given. */
const optionalOwner = apiOwnerSchema.optional().or(z.literal("").transform(() => undefined));

export const createApiSchema = z.object({
  name: apiNameSchema,
  identifier: apiIdentifierSchema,
  description: apiDescriptionSchema.default(""),
  /** Defaults to the caller. */
  owner: optionalOwner,
  /** Default 900 (15 minutes), or the access-token lifetime setting when that is shorter. */
  accessTokenTtlSeconds: accessTokenTtlSchema
    .optional()
    .describe("Seconds; default 900, at most the access-token lifetime setting."),
  allowPersonalTokens: z.boolean().default(true),
  requireDpop: requireDpopSchema.default(false),
});
/** Callers that build the input themselves (the CLI, tests) may leave `requireDpop` out: it is off. */
export type CreateApiInput = Omit<z.infer<typeof createApiSchema>, "requireDpop"> & { requireDpop?: boolean };

/** A PATCH: only the fields sent change. */
export const updateApiSchema = z.object({
  name: apiNameSchema.optional(),
  identifier: apiIdentifierSchema.optional(),
  description: apiDescriptionSchema.optional(),
  owner: optionalOwner,
  accessTokenTtlSeconds: accessTokenTtlSchema.optional(),
  allowPersonalTokens: z.boolean().optional(),
  /** Left out, it stays as it is. */
  requireDpop: requireDpopSchema.optional(),
  disabled: z.boolean().optional().describe("Disabled: no new tokens for it; issued ones stop at it."),
});
export type UpdateApiInput = z.infer<typeof updateApiSchema>;

export const apiRefSchema = z.object({ apiId: apiIdSchema });
export const apiPermissionRefSchema = z.object({ apiId: apiIdSchema, permissionId: apiPermissionIdSchema });

/** `?confirm=true`: required to remove what roles, tokens or clients still hold. */
export const confirmQuerySchema = z.object({
  confirm: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true")
    .describe("Required (true) to remove what roles, tokens or clients still hold: it is taken from them."),
});

export const listApisSchema = z.object({
  q: searchTextSchema,
  after: apiIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListApisInput = z.infer<typeof listApisSchema>;

/** A page of the credentials holding an API's permissions (the inventory). */
export const listApiCredentialsSchema = z.object({
  after: z
    .string()
    .regex(/^[1-9]\d{0,6}$/, "Pass the nextCursor of the previous page.")
    .optional()
    .describe("The nextCursor of the previous page."),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListApiCredentialsInput = z.infer<typeof listApiCredentialsSchema>;

export const addPermissionSchema = z.object({
  name: permissionNameSchema,
  description: permissionDescriptionSchema.default(""),
});
export type AddPermissionInput = z.infer<typeof addPermissionSchema>;

export const updatePermissionSchema = z.object({
  description: permissionDescriptionSchema.optional(),
  deprecated: z
    .boolean()
    .optional()
    .describe("Deprecated: no new grants; existing ones are kept and flagged until it is removed."),
});
export type UpdatePermissionInput = z.infer<typeof updatePermissionSchema>;

/** One permission of an import (Keyward's JSON export; `deprecated` in it is ignored). */
const importedPermission = z.object({
  name: permissionNameSchema,
  description: permissionDescriptionSchema.default(""),
});

function noDuplicates(
  list: { name: string }[],
  ctx: z.RefinementCtx,
  path: (index: number) => PropertyKey[],
) {
  const seen = new Set<string>();
  list.forEach((permission, index) => {
    if (seen.has(permission.name))
      ctx.addIssue({ code: "custom", path: path(index), message: `${permission.name} is listed twice.` });
    seen.add(permission.name);
  });
}

/** Keyward's own format: what `exportPermissions` returns. */
export const permissionsJsonSchema = z
  .object({
    permissions: z
      .array(importedPermission, "List the permissions: { permissions: [{ name, description }] }.")
      .min(1, "List at least one permission.")
      .max(MAX_PERMISSIONS_PER_API, `At most ${MAX_PERMISSIONS_PER_API} permissions.`),
  })
  .superRefine((value, ctx) =>
    noDuplicates(value.permissions, ctx, (index) => ["permissions", index, "name"]),
  );

const FLOWS = [
  "implicit",
  "password",
  "clientCredentials",
  "authorizationCode",
  "deviceAuthorization",
] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * An OpenAPI 3 document: its permissions are the scopes of the OAuth 2.0 flows of its
 * `components.securitySchemes` (name → description). Other schemes (bearer, API keys, OpenID
 * Connect) define no scopes and are skipped; `$ref`s are not followed. A scope named in several
 * flows keeps its first description.
 */
export const openApiImportSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.\d+/, "Only OpenAPI 3 documents are read (openapi: 3.x)."),
    components: z.looseObject(
      {
        securitySchemes: z.record(z.string(), z.unknown(), "The document has no components.securitySchemes."),
      },
      "The document has no components.securitySchemes.",
    ),
  })
  .transform((doc, ctx) => {
    const found = new Map<string, string>();
    for (const [schemeName, scheme] of Object.entries(doc.components.securitySchemes)) {
      if (!isObject(scheme) || scheme.type !== "oauth2" || !isObject(scheme.flows)) continue;
      for (const flow of FLOWS) {
        const scopes = isObject(scheme.flows[flow]) ? scheme.flows[flow].scopes : undefined;
        if (!isObject(scopes)) continue;
        for (const [name, description] of Object.entries(scopes)) {
          const path = ["components", "securitySchemes", schemeName, "flows", flow, "scopes", name];
          const parsed = importedPermission.safeParse({ name, description });
          if (!parsed.success) {
            const message = parsed.error.issues[0]?.message ?? "Not a valid scope.";
            ctx.addIssue({ code: "custom", path, message: `Scope ${name.slice(0, 100)}: ${message}` });
          } else if (!found.has(parsed.data.name)) {
            found.set(parsed.data.name, parsed.data.description);
          }
        }
      }
    }
    if (found.size === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["components", "securitySchemes"],
        message: "The document's security schemes define no OAuth 2.0 scopes to import.",
      });
    }
    if (found.size > MAX_PERMISSIONS_PER_API) {
      ctx.addIssue({
        code: "custom",
        path: ["components"],
        message: `At most ${MAX_PERMISSIONS_PER_API} scopes.`,
      });
    }
    return { permissions: [...found].map(([name, description]) => ({ name, description })) };
  });

export type ImportPermissionsInput = { permissions: { name: string; description: string }[] };

/**
 * The body of an import: Keyward's JSON (`{ permissions: [{ name, description }] }`, as exported)
 * or an OpenAPI 3 document (an `openapi` field says which). The result is always `{ permissions }`.
 */
export const importPermissionsSchema = z
  .looseObject(
    {
      permissions: z.array(z.unknown()).optional().describe("Keyward's format: [{ name, description }]."),
      openapi: z.string().optional().describe("An OpenAPI 3 document: its OAuth 2.0 scopes are imported."),
    },
    "Send { permissions: [{ name, description }] } or an OpenAPI 3 document.",
  )
  .describe(
    "Keyward's JSON ({ permissions: [{ name, description }] }, as exported) or an OpenAPI 3 document, " +
      "whose components.securitySchemes' OAuth 2.0 scopes become permissions.",
  )
  .transform((value, ctx): ImportPermissionsInput => {
    const parsed =
      value.openapi !== undefined
        ? openApiImportSchema.safeParse(value)
        : permissionsJsonSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });
