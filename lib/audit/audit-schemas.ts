import { z } from "zod";

import { AUDIT_ACTIONS } from "./actions.ts";

const optional = <T extends z.ZodType>(schema: T) =>
  schema.optional().or(z.literal("").transform(() => undefined));

/** Filters of the audit log: the API's query and (later) the audit page's form. */
export const listAuditEventsSchema = z
  .object({
    actor: optional(z.string().trim().max(100, "An actor id has at most 100 characters.")),
    target: optional(z.string().trim().max(100, "A target id has at most 100 characters.")),
    action: optional(z.enum(AUDIT_ACTIONS, { error: "Unknown action." })),
    outcome: optional(z.enum(["success", "failure", "denied"])),
    from: optional(
      z.iso.datetime({ offset: true, error: "Use an ISO 8601 date-time, e.g. 2026-11-29T00:00:00Z." }),
    ),
    to: optional(
      z.iso.datetime({ offset: true, error: "Use an ISO 8601 date-time, e.g. 2026-11-29T00:00:00Z." }),
    ),
    /** Cursor: events older than this id. */
    after: optional(z.string().regex(/^\d{1,18}$/, "Not a valid cursor.")),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    path: ["to"],
    message: "The end of the range is before its start.",
  });
export type ListAuditEventsInput = z.infer<typeof listAuditEventsSchema>;

export const auditEventIdSchema = z.object({
  eventId: z.string().regex(/^\d{1,18}$/, "Not a valid event id."),
});
