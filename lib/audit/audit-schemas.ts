import { z } from "zod";

import { NUL_MESSAGE, withoutNul } from "../http/no-nul.ts";

import { AUDIT_ACTIONS } from "./actions.ts";

const optional = <T extends z.ZodType>(schema: T) =>
  schema.optional().or(z.literal("").transform(() => undefined));

/**
 * A point in time: ISO 8601 with an offset, or a browser's datetime-local value ("2026-11-29T08:30"),
 * read as UTC (the UI shows every time in UTC). Normalised to ISO UTC.
 */
const dateTimeSchema = z
  .string()
  .trim()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/,
    "Use a date and time, e.g. 2026-11-29T08:30 (UTC) or 2026-11-29T08:30:00+01:00.",
  )
  .transform((value, ctx) => {
    const date = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "That date does not exist." });
      return z.NEVER;
    }
    return date.toISOString();
  });

/** Filters of the audit log: the API's query and (later) the audit page's form. */
export const listAuditEventsSchema = z
  .object({
    actor: optional(
      z.string().trim().max(100, "An actor id has at most 100 characters.").refine(withoutNul, NUL_MESSAGE),
    ),
    target: optional(
      z.string().trim().max(100, "A target id has at most 100 characters.").refine(withoutNul, NUL_MESSAGE),
    ),
    action: optional(z.enum(AUDIT_ACTIONS, { error: "Unknown action." })),
    outcome: optional(z.enum(["success", "failure", "denied"])),
    from: optional(dateTimeSchema),
    to: optional(dateTimeSchema),
    /** Cursor: events older than this id. */
    after: optional(z.string().regex(/^\d{1,18}$/, "Not a valid cursor.")),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    path: ["to"],
    message: "The end of the range is before its start.",
  });
export type ListAuditEventsInput = z.infer<typeof listAuditEventsSchema>;

/** An export: the same filters, every matching event (no page size), as CSV or JSON Lines. */
export const exportAuditEventsSchema = listAuditEventsSchema.safeExtend({
  format: z.enum(["csv", "jsonl"], { error: "Choose csv or jsonl." }).default("csv"),
});
export type ExportAuditEventsInput = z.infer<typeof exportAuditEventsSchema>;

export const auditEventIdSchema = z.object({
  eventId: z.string().regex(/^\d{1,18}$/, "Not a valid event id."),
});
