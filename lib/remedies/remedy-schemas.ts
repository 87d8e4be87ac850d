import { z } from "zod";

import { clientIdSchema } from "../clients/client-schemas.ts";
import { NUL_MESSAGE, withoutNul } from "../http/no-nul.ts";
import { riskKeySchema } from "../overview/overview-schemas.ts";
import { tokenIdSchema } from "../tokens/token-schemas.ts";
import { idSchema } from "../users/user-schemas.ts";

/**
 * The inputs of the security overview's one-click remedies (issue 17): the overview's forms, their
 * server actions, the REST routes and the OpenAPI document share these. Text is well-formed Unicode
 * without NUL. Rules that need the clock or Settings (an expiry within the token lifetime cap, an
 * acceptance within a year) are checked by the domain functions in lib/remedies, which know both.
 */

export const riskAcceptanceIdSchema = idSchema("rsk");

/** The id of the item on a risk list: a user (usr_), token (tok_) or client (cli_) id. */
export const riskTargetIdSchema = z
  .string({ error: "Missing id." })
  .trim()
  .max(64, "Not a valid id.")
  .regex(/^(usr|tok|cli)_[0-9A-Za-z]{1,40}$/, "Not a valid id.");

/**
 * A moment as a form sends it (YYYY-MM-DD: the end of that day, UTC, as a token's custom expiry) or
 * as the API sends it (RFC 3339 with an offset).
 */
const momentSchema = (what: string) =>
  z
    .union(
      [
        z.iso.date().transform((day) => new Date(`${day}T23:59:59.999Z`)),
        z.iso.datetime({ offset: true }).transform((at) => new Date(at)),
      ],
      { error: `Enter ${what} as YYYY-MM-DD or an RFC 3339 date-time.` },
    )
    .refine((at) => !Number.isNaN(at.getTime()), `Enter a valid ${what}.`)
    .describe(`${what}: YYYY-MM-DD (the end of that day, UTC) or an RFC 3339 date-time.`);

export const narrowTokenSchema = z.object({ tokenId: tokenIdSchema });
export type NarrowTokenInput = z.infer<typeof narrowTokenSchema>;

export const narrowClientSchema = z.object({ clientId: clientIdSchema });
export type NarrowClientInput = z.infer<typeof narrowClientSchema>;

/** A token's new expiry: in the future, within the lifetime cap, earlier than the one it has. */
export const setTokenExpirySchema = z.object({
  tokenId: tokenIdSchema,
  expiresAt: momentSchema("The expiry"),
});
export type SetTokenExpiryInput = z.infer<typeof setTokenExpirySchema>;

/** When a client's secrets that never expire (or expire later) stop working: the owner rotates before. */
export const setClientSecretExpirySchema = z.object({
  clientId: clientIdSchema,
  expiresAt: momentSchema("The expiry"),
});
export type SetClientSecretExpiryInput = z.infer<typeof setClientSecretExpirySchema>;

export const acceptRiskSchema = z.object({
  risk: riskKeySchema,
  targetId: riskTargetIdSchema,
  reason: z
    .string({ error: "Say why the risk is acceptable." })
    .trim()
    .min(1, "Say why the risk is acceptable.")
    .max(500, "A reason has at most 500 characters.")
    .refine(withoutNul, NUL_MESSAGE),
  until: momentSchema("The date it comes back"),
});
export type AcceptRiskInput = z.infer<typeof acceptRiskSchema>;

export const withdrawAcceptanceSchema = z.object({ id: riskAcceptanceIdSchema });
export type WithdrawAcceptanceInput = z.infer<typeof withdrawAcceptanceSchema>;

export const listAcceptedRisksSchema = z.object({
  risk: riskKeySchema.optional().or(z.literal("").transform(() => undefined)),
  /** Also the acceptances that ended (expired, withdrawn or replaced), newest first. */
  includeEnded: z
    .union([z.boolean(), z.enum(["true", "false", "1", "0", ""])])
    .transform((value) => value === true || value === "true" || value === "1")
    .default(false),
  after: riskAcceptanceIdSchema.optional().or(z.literal("").transform(() => undefined)),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListAcceptedRisksInput = z.input<typeof listAcceptedRisksSchema>;

export const remindOwnerSchema = z.object({ risk: riskKeySchema, targetId: riskTargetIdSchema });
export type RemindOwnerInput = z.infer<typeof remindOwnerSchema>;
